//! Writing an export as it is read: CSV chunks go to the response body as each page of ~1,000 rows is read; an
//! XLSX workbook is written row by row by rust_xlsxwriter in constant-memory mode (rows go to a temporary file at
//! once), and the finished file is then streamed out. Memory stays flat whatever the number of rows.

use std::io::Read;
use std::path::PathBuf;

use axum::body::{Body, Bytes};
use futures_util::stream;
use tokio::sync::mpsc;

use super::plan::{Column, Cursor, Plan};
use crate::context::AppContext;

/// Rows read from the store at a time.
pub const CHUNK: u64 = 1_000;

/// Bytes of the finished XLSX file sent at a time.
const FILE_CHUNK: usize = 64 * 1024;

/// A cell that Excel would read as a formula (`=`, `+`, `-`, `@`, and the tab and carriage return that also
/// start one) gets an apostrophe before it, in free-text columns only: codes and dates are written as they are.
pub fn guard(cell: String, col: &Column) -> String {
    if col.free_text && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Reads the plan's rows in chunks and hands each chunk to `out`; stops early when the receiver is gone.
async fn read_rows(app: AppContext, plan: Plan, out: mpsc::Sender<anyhow::Result<Vec<Vec<String>>>>) {
    let mut cursor: Cursor = None;
    let mut left = plan.limit.unwrap_or(u64::MAX);
    while left > 0 {
        let n = CHUNK.min(left);
        match plan.chunk(&app, &mut cursor, n).await {
            Ok(rows) if rows.is_empty() => break,
            Ok(rows) => {
                left -= (rows.len() as u64).min(left);
                let done = (rows.len() as u64) < n;
                if out.send(Ok(rows)).await.is_err() || done {
                    break;
                }
            }
            Err(e) => {
                tracing::error!(error = %e.message(), listing = plan.listing.name(), "export failed while reading");
                let _ = out.send(Err(anyhow::anyhow!("export failed: {}", e.message()))).await;
                break;
            }
        }
    }
}

/// The CSV body: a UTF-8 byte-order mark (Excel then reads the Chinese right), the header row, then the rows,
/// RFC 4180 quoting, CRLF line ends. The first chunk is read before answering: a failure there is an error
/// response rather than a cut body, and an export that fits in one chunk is sent with its length, in one write
/// (a streamed answer's last small write would otherwise wait on the client's delayed ACK).
pub async fn csv_body(app: AppContext, plan: Plan) -> anyhow::Result<Body> {
    let columns = plan.columns.clone();
    let (tx, mut rx) = mpsc::channel(2);
    tokio::spawn(read_rows(app, plan, tx));
    let mut first = b"\xEF\xBB\xBF".to_vec();
    first.extend(encode_csv(
        &[columns.iter().map(|c| c.header.to_string()).collect()],
        None,
    ));
    match rx.recv().await {
        None => return Ok(Body::from(first)),
        Some(rows) => {
            let rows = rows?;
            first.extend(encode_csv(&rows, Some(&columns)));
            if (rows.len() as u64) < CHUNK && rx.recv().await.is_none() {
                return Ok(Body::from(first));
            }
        }
    }
    let head = stream::once(async move { Ok::<Bytes, anyhow::Error>(Bytes::from(first)) });
    let rest = stream::unfold((rx, columns), |(mut rx, columns)| async move {
        let item = rx.recv().await?;
        let out = item.map(|rows| Bytes::from(encode_csv(&rows, Some(&columns))));
        Some((out, (rx, columns)))
    });
    Ok(Body::from_stream(futures_util::StreamExt::chain(head, rest)))
}

fn encode_csv(rows: &[Vec<String>], columns: Option<&[Column]>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(rows.len() * 128));
    for row in rows {
        let cells: Vec<String> = match columns {
            Some(cols) => row.iter().zip(cols).map(|(c, col)| guard(c.clone(), col)).collect(),
            None => row.clone(),
        };
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&cells);
    }
    w.into_inner().unwrap_or_default()
}

/// A temporary file removed when dropped.
struct TempPath(PathBuf);

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes the XLSX workbook to a temporary file (rows arrive through `rx`), in a blocking thread.
fn write_workbook(
    columns: &[Column],
    mut rx: mpsc::Receiver<anyhow::Result<Vec<Vec<String>>>>,
    path: &std::path::Path,
) -> anyhow::Result<u64> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    book.set_tempdir(std::env::temp_dir())?;
    let sheet = book.add_worksheet_with_constant_memory()?;
    let bold = Format::new().set_bold();
    for (i, c) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, c.header, &bold)?;
        sheet.set_column_width(i as u16, if c.free_text { 30 } else { 18 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row: u32 = 1;
    while let Some(chunk) = rx.blocking_recv() {
        for cells in chunk? {
            if row >= 1_048_576 {
                anyhow::bail!("more rows than a worksheet holds (1,048,576); narrow the filter or use CSV");
            }
            for (i, (cell, col)) in cells.into_iter().zip(columns).enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(row, i as u16, guard(cell, col))?;
                }
            }
            row += 1;
        }
    }
    book.save(path)?;
    Ok(row as u64 - 1)
}

/// A name for a temporary file no other export uses.
fn temp_name() -> PathBuf {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("zhiliang-export-{}-{n}-{nanos:x}.xlsx", std::process::id()))
}

/// The XLSX body: the workbook is written in constant memory to a temporary file, which is then streamed out in
/// 64 KiB chunks and removed.
pub fn xlsx_body(app: AppContext, plan: Plan) -> Body {
    let columns = plan.columns.clone();
    let (rows_tx, rows_rx) = mpsc::channel(2);
    tokio::spawn(read_rows(app, plan, rows_tx));
    let (tx, rx) = mpsc::channel::<anyhow::Result<Bytes>>(4);
    tokio::spawn(async move {
        let path = TempPath(temp_name());
        let target = path.0.clone();
        let written = tokio::task::spawn_blocking(move || write_workbook(&columns, rows_rx, &target)).await;
        let mut file = match written {
            Ok(Ok(_)) => match std::fs::File::open(&path.0) {
                Ok(f) => f,
                Err(e) => {
                    let _ = tx.send(Err(e.into())).await;
                    return;
                }
            },
            Ok(Err(e)) => {
                tracing::error!(error = %e, "XLSX export failed");
                let _ = tx.send(Err(e)).await;
                return;
            }
            Err(e) => {
                let _ = tx.send(Err(e.into())).await;
                return;
            }
        };
        loop {
            let read = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; FILE_CHUNK];
                let n = file.read(&mut buf)?;
                buf.truncate(n);
                Ok::<_, std::io::Error>((buf, file))
            })
            .await;
            match read {
                Ok(Ok((buf, _))) if buf.is_empty() => break,
                Ok(Ok((buf, f))) => {
                    file = f;
                    if tx.send(Ok(Bytes::from(buf))).await.is_err() {
                        break;
                    }
                }
                Ok(Err(e)) => {
                    let _ = tx.send(Err(e.into())).await;
                    break;
                }
                Err(e) => {
                    let _ = tx.send(Err(e.into())).await;
                    break;
                }
            }
        }
        drop(path);
    });
    Body::from_stream(stream::unfold(rx, |mut rx| async move {
        let item = rx.recv().await?;
        Some((item, rx))
    }))
}
