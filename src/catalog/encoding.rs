//! Text files as people save them: UTF-8 with or without a byte-order mark, UTF-16 (what Excel calls "Unicode
//! text") and GB18030/GBK (what Excel and Notepad write by default on a Chinese Windows), told apart by their
//! bytes and decoded strictly: a file that is none of these is refused, never read with replacement characters.

use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

/// The encoding a text file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 that starts with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// GB18030, which includes GBK and GB2312.
    Gb18030,
}

impl TextEncoding {
    /// The name reports use: `UTF-8`, `UTF-8 (with BOM)`, `UTF-16LE`, `UTF-16BE`, `GB18030`.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (with BOM)",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Gb18030 => "GB18030",
        }
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
            TextEncoding::Gb18030 => GB18030,
        }
    }
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A file's text and the encoding it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: TextEncoding,
}

/// What a refused file is told.
pub const NOT_TEXT: &str = "not text in UTF-8, UTF-16 or GB18030/GBK (save it as \"CSV UTF-8\" or as plain text)";

/// Byte-order marks, longest first. GB18030 has one too (U+FEFF encoded), rarely written.
const BOMS: [(&[u8], TextEncoding); 4] = [
    (b"\x84\x31\x95\x33", TextEncoding::Gb18030),
    (b"\xEF\xBB\xBF", TextEncoding::Utf8Bom),
    (b"\xFF\xFE", TextEncoding::Utf16Le),
    (b"\xFE\xFF", TextEncoding::Utf16Be),
];

/// Decodes `bytes` as `encoding` without replacement characters; `None` when they are not valid in it or when
/// the text holds NUL characters (a text file has none: NULs mean another encoding or a binary file).
fn strict(bytes: &[u8], encoding: TextEncoding) -> Option<String> {
    let text = encoding
        .encoding()
        .decode_without_bom_handling_and_without_replacement(bytes)?;
    (!text.contains('\0')).then(|| text.into_owned())
}

/// UTF-16 without a byte-order mark, when the NUL bytes make it certain: every ASCII character (the commas,
/// line ends and digits every sheet has) puts a NUL in the high byte of its code unit, so in UTF-16LE the
/// NULs fall on odd offsets and in UTF-16BE on even ones. At least one code unit in eight must carry such a NUL,
/// the other side at most a quarter as many (CJK characters such as 一 U+4E00 have a NUL low byte), and the
/// bytes must decode strictly.
fn utf16_by_nul_pattern(bytes: &[u8]) -> Option<TextEncoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes.len() / 2;
    let (mut first, mut second) = (0usize, 0usize);
    for unit in bytes.chunks_exact(2) {
        first += usize::from(unit[0] == 0);
        second += usize::from(unit[1] == 0);
    }
    let (high, low, encoding) = if second > first {
        (second, first, TextEncoding::Utf16Le)
    } else {
        (first, second, TextEncoding::Utf16Be)
    };
    (high > 0 && high * 8 >= units && low * 4 <= high).then_some(encoding)
}

/// Finds the encoding of a text file and decodes it: a byte-order mark first; then UTF-8; then UTF-16 without
/// a mark when the pattern of NUL bytes is unmistakable; then GB18030 decoded strictly. Anything else is
/// refused, with the reason.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    for (bom, encoding) in BOMS {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return strict(rest, encoding)
                .map(|text| Decoded { text, encoding })
                .ok_or_else(|| {
                    format!("starts with the byte-order mark of {encoding} but is not valid {encoding} text")
                });
        }
    }
    if !bytes.contains(&0)
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return Ok(Decoded {
            text: text.to_string(),
            encoding: TextEncoding::Utf8,
        });
    }
    let mut candidates = Vec::with_capacity(2);
    candidates.extend(utf16_by_nul_pattern(bytes));
    candidates.push(TextEncoding::Gb18030);
    for encoding in candidates {
        if let Some(text) = strict(bytes, encoding) {
            return Ok(Decoded { text, encoding });
        }
    }
    Err(NOT_TEXT.to_string())
}

/// Reads and decodes a text file; errors name the file.
pub fn read_text(path: &Path) -> anyhow::Result<Decoded> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    decode(&bytes).map_err(|reason| anyhow::anyhow!("{}: {reason}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = "标准号,中文标准名称,实施日期\nGB/T 19001-2016,质量管理体系 要求,2017-07-01\nGB 6675.1-2014,玩具安全 第1部分：基本规范,2016-01-01\n";

    fn encode(text: &str, encoding: &'static Encoding) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if little_endian {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                }
            })
            .collect()
    }

    fn read(bytes: &[u8]) -> (String, TextEncoding) {
        let d = decode(bytes).unwrap_or_else(|e| panic!("{e}"));
        (d.text, d.encoding)
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(read(SHEET.as_bytes()), (SHEET.to_string(), TextEncoding::Utf8));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(SHEET.as_bytes());
        assert_eq!(read(&bom), (SHEET.to_string(), TextEncoding::Utf8Bom));
        assert_eq!(read(b""), (String::new(), TextEncoding::Utf8));
    }

    #[test]
    fn gbk_and_gb18030() {
        // encoding_rs writes GB18030; a GBK file (only two-byte characters) is the same bytes.
        let gb = encode(SHEET, GB18030);
        assert!(std::str::from_utf8(&gb).is_err());
        assert_eq!(read(&gb), (SHEET.to_string(), TextEncoding::Gb18030));
        // Four-byte GB18030 sequences (beyond GBK): 𠀀 U+20000 and ä.
        let rare = "名称,𠀀\n€,ä\n";
        assert_eq!(read(&encode(rare, GB18030)), (rare.to_string(), TextEncoding::Gb18030));
        // GB18030's own byte-order mark.
        let mut bom = b"\x84\x31\x95\x33".to_vec();
        bom.extend(encode(SHEET, GB18030));
        assert_eq!(read(&bom), (SHEET.to_string(), TextEncoding::Gb18030));
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16(SHEET, true));
        assert_eq!(read(&le), (SHEET.to_string(), TextEncoding::Utf16Le));
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16(SHEET, false));
        assert_eq!(read(&be), (SHEET.to_string(), TextEncoding::Utf16Be));
    }

    #[test]
    fn utf16_without_bom_only_when_the_nul_pattern_is_certain() {
        assert_eq!(read(&utf16(SHEET, true)), (SHEET.to_string(), TextEncoding::Utf16Le));
        assert_eq!(read(&utf16(SHEET, false)), (SHEET.to_string(), TextEncoding::Utf16Be));
        // 一 (U+4E00) and 开 (U+5F00) have a NUL low byte: a few of them do not confuse the sides.
        let ones = "统一社会信用代码,企业名称,开业日期\n91330226573218648K,宁波市一开文具有限公司,2011-05-20\n";
        assert_eq!(read(&utf16(ones, true)), (ones.to_string(), TextEncoding::Utf16Le));
        assert_eq!(read(&utf16(ones, false)), (ones.to_string(), TextEncoding::Utf16Be));
        // Chinese with no ASCII at all has no NUL to go by: without a mark it is not taken for UTF-16.
        assert_eq!(utf16_by_nul_pattern(&utf16("标准号中文标准名称", true)), None);
        // UTF-32 has NULs on both sides: refused, not read as UTF-16.
        let utf32: Vec<u8> = "a,b\n".chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        assert!(decode(&utf32).is_err());
        // An odd length cannot be UTF-16.
        let mut odd = utf16("a,b\n", true);
        odd.pop();
        assert!(decode(&odd).is_err());
    }

    #[test]
    fn neither_is_refused() {
        // Latin-1: é followed by a comma and ë by a line end are no GB18030 sequences, nor UTF-8.
        let latin1 = b"name,city\nCaf\xe9,Zo\xeb\nna\xefve,\xe9\n";
        let err = decode(latin1).unwrap_err();
        assert_eq!(err, NOT_TEXT);
        // Random bytes (a fixed sequence from a linear congruential generator).
        let mut x: u32 = 12345;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        assert_eq!(decode(&random).unwrap_err(), NOT_TEXT);
        // A byte-order mark followed by what is not that encoding.
        let err = decode(b"\xEF\xBB\xBFCaf\xe9").unwrap_err();
        assert!(err.contains("UTF-8"), "{err}");
        let err = decode(&[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00]).unwrap_err();
        assert!(err.contains("UTF-16LE"), "{err}");
        // ASCII with NUL characters is not text.
        assert!(decode(b"a,b\n\0\0\0\0,c\n").is_err());
    }
}
