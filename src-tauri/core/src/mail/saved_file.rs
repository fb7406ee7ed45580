//! An attachment written to disk: a file name made safe from whatever the sender wrote, and a
//! new file beside the user's others that never replaces one of them.
//!
//! The name a mail gives is hostile input: it may climb directories (`../../.bashrc`), name a
//! device on Windows (`CON.txt`), hide its real extension behind a right-to-left override, or
//! hold control characters. What is written is always a plain, new file in the chosen folder;
//! nothing is ever run or opened.
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Names are cut to this many bytes (extension kept): under every common file system's 255.
const MAX_NAME_BYTES: usize = 200;
/// An extension longer than this is not one worth keeping apart when a name is cut.
const MAX_EXTENSION_CHARS: usize = 16;
/// `name (1).ext` … `name (999).ext`; past that the folder is not a sane place to save.
const MAX_COPIES: u32 = 999;

/// Windows refuses these as file names, whatever the extension (`CON.txt` is the console).
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    "CONIN$", "CONOUT$",
];

/// Extensions of files that run code when the system opens them (programs, installers,
/// scripts, shortcuts, disk images, web pages and SVG that run scripts in a browser): such an
/// attachment is saved on request but never handed to the system to open.
const RUNS_CODE_EXTENSIONS: &[&str] = &[
    "exe",
    "com",
    "bat",
    "cmd",
    "msi",
    "msp",
    "msix",
    "appx",
    "scr",
    "pif",
    "cpl",
    "vb",
    "vbs",
    "vbe",
    "js",
    "jse",
    "mjs",
    "wsf",
    "wsh",
    "ws",
    "ps1",
    "psm1",
    "psd1",
    "hta",
    "lnk",
    "url",
    "website",
    "reg",
    "inf",
    "jar",
    "jnlp",
    "sh",
    "bash",
    "zsh",
    "csh",
    "ksh",
    "fish",
    "command",
    "tool",
    "app",
    "pkg",
    "mpkg",
    "dmg",
    "iso",
    "img",
    "vhd",
    "vhdx",
    "run",
    "bin",
    "out",
    "elf",
    "appimage",
    "flatpak",
    "snap",
    "deb",
    "rpm",
    "desktop",
    "py",
    "pyw",
    "pyc",
    "pl",
    "rb",
    "php",
    "lua",
    "apk",
    "scpt",
    "applescript",
    "action",
    "workflow",
    "dll",
    "so",
    "dylib",
    "sys",
    "drv",
    "ocx",
    "xll",
    "html",
    "htm",
    "xhtml",
    "shtml",
    "mht",
    "mhtml",
    "svg",
    "svgz",
    "xml",
    "xsl",
    "library-ms",
    "searchconnector-ms",
    "settingcontent-ms",
    "chm",
    "one",
];

/// Types that run code when opened, whatever the name says.
const RUNS_CODE_TYPES: &[&str] = &[
    "application/x-msdownload",
    "application/x-msdos-program",
    "application/x-executable",
    "application/x-elf",
    "application/x-sharedlib",
    "application/x-sh",
    "application/x-shellscript",
    "application/x-csh",
    "application/x-msi",
    "application/x-ms-installer",
    "application/vnd.microsoft.portable-executable",
    "application/java-archive",
    "application/x-java-archive",
    "application/javascript",
    "text/javascript",
    "application/hta",
    "application/x-apple-diskimage",
    "application/vnd.android.package-archive",
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
];

/// Whether a file of this (already safe) name and type could run code if the system opened
/// it: the app then saves it but does not open it. Decided by the extension and by the type,
/// so a program sent as `application/octet-stream` or a page named `.txt` but typed
/// `text/html` is caught by one or the other.
pub fn runs_code(name: &str, mime_type: &str) -> bool {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mime_type = mime_type.trim().to_ascii_lowercase();
    RUNS_CODE_EXTENSIONS.contains(&extension.as_str())
        || RUNS_CODE_TYPES.contains(&mime_type.as_str())
}

/// A file name safe to create on Linux, macOS and Windows from the name an attachment gives
/// (`None` or nothing usable: `attachment` with an extension for its type). Path separators,
/// control and invisible formatting characters and Windows' forbidden characters become `_`;
/// leading dots and trailing dots and spaces go; a reserved Windows name gets a `_` in front;
/// the extension is kept when a long name is cut.
pub fn safe_file_name(name: Option<&str>, mime_type: &str) -> String {
    let mut cleaned: String = name
        .unwrap_or_default()
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '<' | '>' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    cleaned = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
        .to_owned();
    if cleaned.chars().all(|c| c == '_') {
        cleaned = match extension_for(mime_type) {
            Some(ext) => format!("attachment.{ext}"),
            None => "attachment".to_owned(),
        };
    }
    let stem = cleaned.split('.').next().unwrap_or_default().trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        cleaned.insert(0, '_');
    }
    cut_keeping_extension(cleaned)
}

/// Format characters that change how a name reads without being seen: bidirectional
/// overrides (`invoice\u{202E}fdp.exe` reads as `invoiceexe.pdf`), zero-width ones, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn extension_for(mime_type: &str) -> Option<&'static str> {
    Some(match mime_type.to_ascii_lowercase().as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "text/html" => "html",
        "text/calendar" => "ics",
        "message/rfc822" => "eml",
        "application/zip" => "zip",
        _ => return None,
    })
}

/// `name` within [`MAX_NAME_BYTES`], cut on a character boundary, its extension kept.
fn cut_keeping_extension(name: String) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let (stem, ext) = split_extension(&name);
    let room = MAX_NAME_BYTES.saturating_sub(ext.len());
    let mut end = room.min(stem.len());
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", &stem[..end])
}

/// `("report", ".pdf")`; no extension when there is no dot past the first character or the
/// part after it is long (then it is part of the name).
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(dot) if dot > 0 && name[dot + 1..].chars().count() <= MAX_EXTENSION_CHARS => {
            name.split_at(dot)
        }
        _ => (name, ""),
    }
}

/// Writes `bytes` to a new file named `name` (already safe, see [`safe_file_name`]) in `dir`.
/// An existing file is never replaced: the next free `name (1).ext`, `name (2).ext`, … is
/// taken, atomically (the file is created only if absent). A write that fails removes its
/// partial file. Returns the path written.
pub fn save_new(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    let (stem, ext) = split_extension(name);
    for copy in 0..=MAX_COPIES {
        let candidate = if copy == 0 {
            name.to_owned()
        } else {
            format!("{stem} ({copy}){ext}")
        };
        let path = dir.join(candidate);
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        return match written {
            Ok(()) => Ok(path),
            Err(e) => {
                drop(file);
                let _ = std::fs::remove_file(&path);
                Err(e)
            }
        };
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{name} and {MAX_COPIES} copies of it already exist"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Programs, scripts, shortcuts and pages are recognised by extension or type; documents
    /// and images are not.
    #[test]
    fn files_that_run_code_are_recognised() {
        for (name, mime) in [
            ("setup.exe", "application/octet-stream"),
            ("Invoice.PDF.js", "application/octet-stream"),
            ("run.sh", "text/plain"),
            ("notes.txt", "text/html"),
            ("drawing.svg", "image/svg+xml"),
            ("Report.lnk", "application/octet-stream"),
            ("tool.AppImage", "application/octet-stream"),
            ("blob", "application/x-msdownload"),
        ] {
            assert!(runs_code(name, mime), "{name} ({mime}) runs code");
        }
        for (name, mime) in [
            ("invoice-270.pdf", "application/pdf"),
            ("photo.png", "image/png"),
            ("report.csv", "text/csv"),
            (
                "letter.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("archive.zip", "application/zip"),
        ] {
            assert!(
                !runs_code(name, mime),
                "{name} ({mime}) opens as a document"
            );
        }
    }

    /// Hostile names become plain names in the chosen folder, keeping what they are (extension).
    #[test]
    fn hostile_names_are_made_safe() {
        let cases = [
            ("report.pdf", "report.pdf"),
            ("../../.bashrc", "_.._.bashrc"),
            ("..", "attachment.pdf"),
            ("/etc/passwd", "_etc_passwd"),
            ("C:\\Windows\\evil.dll", "C__Windows_evil.dll"),
            ("CON.txt", "_CON.txt"),
            ("nul", "_nul"),
            ("lpt1.tar.gz", "_lpt1.tar.gz"),
            ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
            ("a\u{0}b\nc\u{7f}.txt", "a_b_c_.txt"),
            ("what?.txt", "what_.txt"),
            ("trailing. . ", "trailing"),
            ("   ", "attachment.pdf"),
            ("über Straße.pdf", "über Straße.pdf"),
        ];
        for (given, safe) in cases {
            assert_eq!(
                safe_file_name(Some(given), "application/pdf"),
                safe,
                "{given:?}"
            );
        }
        assert_eq!(
            safe_file_name(None, "image/png"),
            "attachment.png",
            "no name: one for its type"
        );
        assert_eq!(
            safe_file_name(None, "application/x-unknown"),
            "attachment",
            "no name, unknown type: no extension made up"
        );
    }

    /// A long name is cut below the file systems' limit, on a character boundary, with its extension.
    #[test]
    fn long_names_keep_their_extension() {
        let long = format!("{}.pdf", "é".repeat(300));
        let safe = safe_file_name(Some(&long), "application/pdf");
        assert!(safe.len() <= MAX_NAME_BYTES, "{} bytes", safe.len());
        assert!(safe.ends_with("é.pdf"), "{safe}");
    }

    /// Saving never replaces a file: the second and third copies are `name (1).ext` and `name (2).ext`.
    #[test]
    fn saving_never_overwrites() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = save_new(dir.path(), "a.txt", b"one").expect("first");
        let second = save_new(dir.path(), "a.txt", b"two").expect("second");
        let third = save_new(dir.path(), "a.txt", b"three").expect("third");
        assert_eq!(first, dir.path().join("a.txt"));
        assert_eq!(second, dir.path().join("a (1).txt"));
        assert_eq!(third, dir.path().join("a (2).txt"));
        assert_eq!(std::fs::read(&first).expect("read"), b"one", "kept");
        assert_eq!(std::fs::read(&third).expect("read"), b"three");
        let bare = save_new(dir.path(), "README", b"x").expect("bare");
        let bare2 = save_new(dir.path(), "README", b"y").expect("bare 2");
        assert_eq!(bare2, dir.path().join("README (1)"), "{bare:?}");
    }
}
