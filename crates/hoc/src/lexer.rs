//! hoc tokens, read on demand from a byte position.
//!
//! hoc is newline-sensitive (a newline ends a statement, a newline inside an expression is a
//! syntax error) and `fscan()` in a file read by `xopen()` consumes the numbers that follow
//! the statement being executed, so the lexer is a cursor over the text that the interpreter
//! can move, rather than a token vector made up front (which is why logos is not used here).

use crate::source::Source;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    /// `$1`
    Arg(u32),
    /// `$s1`
    StrArg(u32),
    /// `$o1`
    ObjArg(u32),
    /// `$&1`
    PtrArg(u32),
    /// `$i`: the argument whose number is the value of variable `i`.
    DynArg(String),
    Newline,
    Eof,
    P(P),
}

/// Punctuation and operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum P {
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Dot,
    Assign,
    PlusAssign,
    MinusAssign,
    MulAssign,
    DivAssign,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Amp,
    Colon,
    Semi,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Byte offset of the first character.
    pub pos: usize,
    /// Byte offset just past the token.
    pub end: usize,
}

/// A lexical error: message and byte position.
#[derive(Debug, Clone)]
pub struct LexError {
    pub msg: String,
    pub pos: usize,
}

pub struct Lexer<'a> {
    text: &'a [u8],
    pub pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a Source, pos: usize) -> Self {
        Lexer {
            text: src.text.as_bytes(),
            pos,
        }
    }

    fn peek_byte(&self, k: usize) -> u8 {
        self.text.get(self.pos + k).copied().unwrap_or(0)
    }

    /// Skips blanks and comments, not newlines. A `/* */` comment may span lines; its
    /// newlines are not statement ends.
    fn skip_blank(&mut self) -> Result<(), LexError> {
        loop {
            match self.peek_byte(0) {
                b' ' | b'\t' | b'\r' | 0x0c | 0x1a => self.pos += 1,
                // A backslash at the end of a line continues the statement on the next one.
                b'\\' if self.peek_byte(1) == b'\n' => self.pos += 2,
                b'\\' if self.peek_byte(1) == b'\r' && self.peek_byte(2) == b'\n' => self.pos += 3,
                b'/' if self.peek_byte(1) == b'/' => {
                    while self.pos < self.text.len() && self.text[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'/' if self.peek_byte(1) == b'*' => {
                    let start = self.pos;
                    self.pos += 2;
                    loop {
                        if self.pos >= self.text.len() {
                            return Err(LexError {
                                msg: "comment /* is not closed".into(),
                                pos: start,
                            });
                        }
                        if self.text[self.pos] == b'*' && self.peek_byte(1) == b'/' {
                            self.pos += 2;
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    pub fn next_token(&mut self) -> Result<Token, LexError> {
        self.skip_blank()?;
        let start = self.pos;
        let tok = |t: Tok, end: usize| Token {
            tok: t,
            pos: start,
            end,
        };
        let Some(&c) = self.text.get(self.pos) else {
            return Ok(tok(Tok::Eof, start));
        };
        if c == b'\n' {
            self.pos += 1;
            return Ok(tok(Tok::Newline, self.pos));
        }
        if c.is_ascii_digit() || (c == b'.' && self.peek_byte(1).is_ascii_digit()) {
            let n = self.number();
            return Ok(tok(Tok::Num(n), self.pos));
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let s = self.ident();
            return Ok(tok(Tok::Ident(s), self.pos));
        }
        if c == b'"' {
            let s = self.string()?;
            return Ok(tok(Tok::Str(s), self.pos));
        }
        if c == b'$' {
            return self.dollar().map(|t| tok(t, self.pos));
        }
        let two = [c, self.peek_byte(1)];
        let (p, len) = match &two {
            b"+=" => (P::PlusAssign, 2),
            b"-=" => (P::MinusAssign, 2),
            b"*=" => (P::MulAssign, 2),
            b"/=" => (P::DivAssign, 2),
            b"==" => (P::Eq, 2),
            b"!=" => (P::Ne, 2),
            b"<=" => (P::Le, 2),
            b">=" => (P::Ge, 2),
            b"&&" => (P::And, 2),
            b"||" => (P::Or, 2),
            _ => {
                let p = match c {
                    b'(' => P::LParen,
                    b')' => P::RParen,
                    b'[' => P::LBracket,
                    b']' => P::RBracket,
                    b'{' => P::LBrace,
                    b'}' => P::RBrace,
                    b',' => P::Comma,
                    b'.' => P::Dot,
                    b'=' => P::Assign,
                    b'<' => P::Lt,
                    b'>' => P::Gt,
                    b'!' => P::Not,
                    b'+' => P::Plus,
                    b'-' => P::Minus,
                    b'*' => P::Star,
                    b'/' => P::Slash,
                    b'%' => P::Percent,
                    b'^' => P::Caret,
                    b'&' => P::Amp,
                    b':' => P::Colon,
                    b';' => P::Semi,
                    _ => {
                        let ch = std::str::from_utf8(&self.text[self.pos..])
                            .ok()
                            .and_then(|s| s.chars().next())
                            .unwrap_or('?');
                        return Err(LexError {
                            msg: format!("unexpected character '{ch}'"),
                            pos: start,
                        });
                    }
                };
                (p, 1)
            }
        };
        self.pos += len;
        Ok(tok(Tok::P(p), self.pos))
    }

    fn number(&mut self) -> f64 {
        let start = self.pos;
        while self.peek_byte(0).is_ascii_digit() {
            self.pos += 1;
        }
        if self.peek_byte(0) == b'.' {
            self.pos += 1;
            while self.peek_byte(0).is_ascii_digit() {
                self.pos += 1;
            }
        }
        if matches!(self.peek_byte(0), b'e' | b'E') {
            let (d1, d2) = (self.peek_byte(1), self.peek_byte(2));
            if d1.is_ascii_digit() || (matches!(d1, b'+' | b'-') && d2.is_ascii_digit()) {
                self.pos += 2;
                while self.peek_byte(0).is_ascii_digit() {
                    self.pos += 1;
                }
            }
        }
        let s = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("0");
        s.parse().unwrap_or(0.0)
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while matches!(self.peek_byte(0), b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_') {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.pos]).into_owned()
    }

    /// A string literal; `\n \t \r \\ \"` are escapes, any other `\c` is just `c`.
    fn string(&mut self) -> Result<String, LexError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.text.get(self.pos) else {
                return Err(LexError {
                    msg: "string is not closed".into(),
                    pos: start,
                });
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\n' => {
                    return Err(LexError {
                        msg: "string is not closed before the end of the line".into(),
                        pos: start,
                    })
                }
                b'\\' => {
                    let e = self.peek_byte(0);
                    self.pos += 1;
                    out.push(match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'r' => b'\r',
                        0 => {
                            return Err(LexError {
                                msg: "string is not closed".into(),
                                pos: start,
                            })
                        }
                        other => other,
                    });
                }
                _ => out.push(c),
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn dollar(&mut self) -> Result<Tok, LexError> {
        let start = self.pos;
        self.pos += 1;
        let kind = match self.peek_byte(0) {
            b's' if self.peek_byte(1).is_ascii_digit() => {
                self.pos += 1;
                1
            }
            b'o' if self.peek_byte(1).is_ascii_digit() => {
                self.pos += 1;
                2
            }
            b'&' if self.peek_byte(1).is_ascii_digit() => {
                self.pos += 1;
                3
            }
            _ => 0,
        };
        if self.peek_byte(0).is_ascii_digit() {
            let s = self.pos;
            while self.peek_byte(0).is_ascii_digit() {
                self.pos += 1;
            }
            let n: u32 = std::str::from_utf8(&self.text[s..self.pos])
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            return Ok(match kind {
                1 => Tok::StrArg(n),
                2 => Tok::ObjArg(n),
                3 => Tok::PtrArg(n),
                _ => Tok::Arg(n),
            });
        }
        if kind == 0 && (self.peek_byte(0).is_ascii_alphabetic() || self.peek_byte(0) == b'_') {
            return Ok(Tok::DynArg(self.ident()));
        }
        Err(LexError {
            msg: "$ must be followed by an argument number ($1, $s1, $o1, $&1) or a variable"
                .into(),
            pos: start,
        })
    }

    /// Reads the next number in the text for `fscan()`: skips anything that is not the start
    /// of a number (NEURON's hoc_scan skips words), returns None at the end of the text.
    pub fn scan_number(&mut self) -> Option<f64> {
        loop {
            let c = self.peek_byte(0);
            if self.pos >= self.text.len() {
                return None;
            }
            let starts_number = c.is_ascii_digit()
                || (c == b'.' && self.peek_byte(1).is_ascii_digit())
                || (matches!(c, b'-' | b'+')
                    && (self.peek_byte(1).is_ascii_digit()
                        || (self.peek_byte(1) == b'.' && self.peek_byte(2).is_ascii_digit())));
            if starts_number {
                let neg = c == b'-';
                if matches!(c, b'-' | b'+') {
                    self.pos += 1;
                }
                let n = self.number();
                return Some(if neg { -n } else { n });
            }
            self.pos += 1;
        }
    }
}
