//! Lower bounds for the bake benchmark: the least work any baker or reader that keeps
//! Emblem's checks must do on the same bytes, timed beside Emblem so the targets can be
//! read against what is possible at all.
//!
//! - Baking writes every input byte to the output: its floor is a copy (`to_vec`).
//! - Reading a PNG must visit every chunk header to IEND (a second keyword, a duplicate or
//!   a truncation can be anywhere): [`chunk_walk`] follows the lengths and reads nothing
//!   else (no CRC, no text).
//! - Reading or sanitising an SVG must look at every tag (a credential element, a script
//!   or an `on*` attribute can be anywhere): [`tag_visit`] only jumps from one `<` to the
//!   next.

/// The number of chunks, following each length from the signature to the end.
pub fn chunk_walk(png: &[u8]) -> usize {
    let mut at = 8;
    let mut chunks = 0;
    while let Some(len) = png.get(at..at + 4) {
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        at += 12 + len;
        chunks += 1;
    }
    chunks
}

/// The number of `<` in the document.
pub fn tag_visit(svg: &[u8]) -> usize {
    memchr::memchr_iter(b'<', svg).count()
}

/// The unbake floor for an image: [`chunk_walk`] for a PNG, [`tag_visit`] for an SVG.
pub fn read_floor(image: &[u8]) -> usize {
    match emblem_badges::bake::sniff(image) {
        Some(emblem_badges::image::ImageType::Png) => chunk_walk(image),
        _ => tag_visit(image),
    }
}
