//! The two reference bakers, driven through `py_bakery.py` and `node_bakery.js` as
//! subprocesses, and small readers for what ended up in an image.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use emblem_web::bake::png::{IEND, IHDR, tEXt, write_chunk};

/// A reference baker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baker {
    /// PyPI `openbadges-bakery` 2.0.0 (concentricsky).
    Python,
    /// npm `openbadges-bakery` 1.0.5 (Mozilla).
    Node,
}

/// Where `tests/interop/setup.sh` installs the bakers.
fn interop_dir() -> PathBuf {
    std::env::var_os("EMBLEM_INTEROP_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| emblem_tests::root().join("target").join("interop"))
}

fn scratch() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "emblem-interop-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

impl Baker {
    fn name(self) -> &'static str {
        match self {
            Self::Python => "the Python baker (PyPI openbadges-bakery)",
            Self::Node => "the Node baker (npm openbadges-bakery)",
        }
    }

    /// Fails the test, with the fix, when the baker is not installed: no silent skip.
    fn require(self) {
        let dir = interop_dir();
        let marker = match self {
            Self::Python => dir.join("py").join("openbadges_bakery"),
            Self::Node => dir
                .join("node")
                .join("node_modules")
                .join("openbadges-bakery"),
        };
        assert!(
            marker.exists(),
            "{} is not installed ({} is missing): run tests/interop/setup.sh \
             (`cargo xtask test` runs it first); it needs python3 + pip, node + npm and access \
             to PyPI and the npm registry",
            self.name(),
            marker.display()
        );
    }

    fn command(self) -> Command {
        self.require();
        let script = emblem_tests::root().join("tests").join("interop");
        let mut cmd = match self {
            Self::Python => {
                let mut c = Command::new("python3");
                c.arg(script.join("py_bakery.py"));
                c
            }
            Self::Node => {
                let mut c = Command::new("node");
                c.arg(script.join("node_bakery.js"));
                c
            }
        };
        cmd.env("EMBLEM_INTEROP_DIR", interop_dir());
        cmd
    }

    fn run(self, cmd: &mut Command) -> Result<Vec<u8>, String> {
        let out = cmd
            .output()
            .map_err(|e| format!("cannot start {}: {e}", self.name()))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(format!(
                "{} failed ({}): {}",
                self.name(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Bake `payload` into `image`; `ext` (`png`, `svg`) names the temporary files.
    pub fn try_bake(self, image: &[u8], payload: &str, ext: &str) -> Result<Vec<u8>, String> {
        let dir = scratch();
        let (input, text, output) = (
            dir.join(format!("in.{ext}")),
            dir.join("payload.txt"),
            dir.join(format!("out.{ext}")),
        );
        std::fs::write(&input, image).expect("write the image");
        std::fs::write(&text, payload).expect("write the payload");
        let result = self
            .run(
                self.command()
                    .arg("bake")
                    .arg(&input)
                    .arg(&text)
                    .arg(&output),
            )
            .map(|_| std::fs::read(&output).expect("read the baked image"));
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    /// Bake, failing the test on error.
    pub fn bake(self, image: &[u8], payload: &str, ext: &str) -> Vec<u8> {
        self.try_bake(image, payload, ext)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// What the baker reads from `image`, exactly as it returns it.
    pub fn unbake(self, image: &[u8], ext: &str) -> String {
        let dir = scratch();
        let input = dir.join(format!("in.{ext}"));
        std::fs::write(&input, image).expect("write the image");
        let result = self.run(self.command().arg("unbake").arg(&input));
        let _ = std::fs::remove_dir_all(&dir);
        String::from_utf8(result.unwrap_or_else(|e| panic!("{e}"))).expect("UTF-8 output")
    }
}

/// The text chunks of a PNG as (chunk type, keyword), in file order.
pub fn text_chunks(png: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = &png[8..];
    while rest.len() >= 12 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = String::from_utf8_lossy(&rest[4..8]).into_owned();
        let data = &rest[8..8 + len];
        if matches!(kind.as_str(), "iTXt" | "tEXt" | "zTXt") {
            let nul = data.iter().position(|&b| b == 0).unwrap_or(data.len());
            out.push((kind, String::from_utf8_lossy(&data[..nul]).into_owned()));
        }
        rest = &rest[12 + len..];
    }
    out
}

/// How many PNG text chunks have the keyword `openbadges`.
pub fn openbadges_chunks(png: &[u8]) -> usize {
    text_chunks(png)
        .iter()
        .filter(|(_, k)| k == "openbadges")
        .count()
}

/// How many `<openbadges:assertion` elements an SVG has (every baker here uses that prefix).
pub fn assertion_elements(svg: &[u8]) -> usize {
    String::from_utf8_lossy(svg)
        .matches("<openbadges:assertion")
        .count()
}

/// `png` with a legacy `tEXt` chunk `openbadges` = `text` right after IHDR.
pub fn with_legacy_text(png: &[u8], text: &str) -> Vec<u8> {
    let ihdr_end = 8 + 12 + 13;
    assert_eq!(&png[12..16], &IHDR, "IHDR comes first");
    let mut out = png[..ihdr_end].to_vec();
    let mut data = b"openbadges\0".to_vec();
    data.extend_from_slice(text.as_bytes());
    write_chunk(&mut out, tEXt, &data);
    out.extend_from_slice(&png[ihdr_end..]);
    assert_eq!(&out[out.len() - 8..out.len() - 4], &IEND, "IEND comes last");
    out
}
