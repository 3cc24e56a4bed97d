//! hoc source text (a file, a `-c` statement, an `execute()` string) and the line/column
//! arithmetic error messages need.

use std::path::PathBuf;

/// One piece of hoc text with the name used in messages.
#[derive(Debug)]
pub struct Source {
    /// As shown in messages: the file name as given on the command line or to load_file.
    pub name: String,
    /// The file it came from (None for `-c`, execute(), stdin).
    pub path: Option<PathBuf>,
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        Source {
            name: name.into(),
            path,
            text,
            line_starts,
        }
    }

    /// Reads a file; CRLF line ends and a trailing Ctrl-Z are tolerated by the lexer, and bytes
    /// that are not UTF-8 are replaced (hoc files are ASCII in practice).
    pub fn from_file(name: &str, path: PathBuf) -> std::io::Result<Self> {
        let bytes = std::fs::read(&path)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Source::new(name, Some(path), text))
    }

    /// 1-based line of byte offset `pos`.
    pub fn line_of(&self, pos: usize) -> usize {
        match self.line_starts.binary_search(&pos) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Text of 1-based line `line` without its line end.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |e| start + e);
        self.text[start..end].trim_end_matches('\r')
    }

    /// Byte column of `pos` within its line (0-based).
    pub fn column(&self, pos: usize) -> usize {
        let line = self.line_of(pos);
        pos - self.line_starts[line - 1]
    }

    /// Number of lines (a final line without newline counts).
    pub fn line_count(&self) -> usize {
        let n = self.line_starts.len();
        if self.text.ends_with('\n') {
            n - 1
        } else {
            n
        }
    }

    /// NEURON's three-line location block: ` in NAME near line N`, the line, a caret under
    /// column `col` (0-based, counted in the line).
    pub fn location_block(&self, line: usize, col: usize) -> String {
        let text = self.line_text(line);
        format!(
            " in {} near line {line}\n {text}\n{}^\n",
            self.name,
            " ".repeat(col + 1)
        )
    }
}
