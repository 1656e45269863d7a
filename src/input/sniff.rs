//! Guessing the delimiter of a CSV export from its header line, and telling
//! a UTF-16 file saved without its byte-order mark.
//! Vietnamese-locale Excel writes `;` (the comma is the decimal separator),
//! other systems `,`, tab or `|`.

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The candidate that occurs most often outside quotes on the first line;
/// `,` when none occurs (a one-column file).
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for &b in text {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|c| *c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, usize::MAX - i))
        .expect("non-empty");
    if *n == 0 { b',' } else { CANDIDATES[best] }
}

/// The UTF-16 encoding `head` (the file's first bytes, no byte-order mark)
/// is in, if every other byte is mostly 0: CSV text is mostly ASCII, which
/// UTF-16 writes as a 0 byte beside each character. UTF-8 text has no 0
/// bytes at all.
pub fn utf16_without_bom(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let pairs = head.len().min(4096) / 2;
    if pairs < 2 {
        return None;
    }
    let (mut zero_first, mut zero_second) = (0, 0);
    for pair in head[..pairs * 2].chunks_exact(2) {
        zero_first += usize::from(pair[0] == 0);
        zero_second += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= pairs * 3;
    let rarely = |n: usize| n * 10 < pairs;
    if mostly(zero_second) && rarely(zero_first) {
        Some(encoding_rs::UTF_16LE)
    } else if mostly(zero_first) && rarely(zero_second) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_without_bom_is_told_by_its_zero_bytes() {
        let text = "ho_ten,so_dinh_danh\nNguyễn Văn An,001203004567\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(utf16_without_bom(&le), Some(encoding_rs::UTF_16LE));
        assert_eq!(utf16_without_bom(&be), Some(encoding_rs::UTF_16BE));
        assert_eq!(utf16_without_bom(text.as_bytes()), None);
        assert_eq!(
            utf16_without_bom(b"a,b\nx\0,1\n"),
            None,
            "one NUL is a damaged cell, not UTF-16"
        );
    }

    #[test]
    fn picks_the_most_frequent_unquoted_candidate() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a,b,c\n"), b',');
        assert_eq!(sniff_delimiter(b"\"x;y;z\",b\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }
}
