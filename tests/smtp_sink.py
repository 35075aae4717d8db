#!/usr/bin/env python3
"""A real SMTP server for the e-mail tests (tests/it/follow_email.rs), and a reader of what it received.

  smtp_sink.py serve HOST PORT DIR   accept every message (aiosmtpd, Debian's python3-aiosmtpd) and store each one
                                     as DIR/0001.eml, DIR/0002.eml, ... (written aside, then renamed)
  smtp_sink.py show FILE             print one stored message as JSON: envelope-free headers decoded (RFC 2047) and
                                     each leaf part's content type and decoded text
"""

import email
import email.policy
import json
import os
import sys
import threading


def serve(host, port, folder):
    from aiosmtpd.controller import Controller

    class Store:
        def __init__(self):
            self.n = 0
            self.lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                self.n += 1
                n = self.n
            tmp = os.path.join(folder, f".{n:04}.tmp")
            with open(tmp, "wb") as f:
                f.write(envelope.original_content or envelope.content)
            os.rename(tmp, os.path.join(folder, f"{n:04}.eml"))
            return "250 OK stored"

    os.makedirs(folder, exist_ok=True)
    controller = Controller(Store(), hostname=host, port=int(port))
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


def show(path):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        parts.append({"type": part.get_content_type(), "text": part.get_content()})
    print(
        json.dumps(
            {
                "subject": str(msg["subject"] or ""),
                "from": str(msg["from"] or ""),
                "to": str(msg["to"] or ""),
                "messageId": str(msg["message-id"] or ""),
                "listUnsubscribe": str(msg["list-unsubscribe"] or ""),
                "listUnsubscribePost": str(msg["list-unsubscribe-post"] or ""),
                "contentType": msg.get_content_type(),
                "parts": parts,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "show":
        show(sys.argv[2])
    else:
        sys.exit(__doc__)
