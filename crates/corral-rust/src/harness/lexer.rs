//! A small Rust lexer: just enough to find items and attributes in a stub without being
//! fooled by comments, strings, raw strings or character literals.
//!
//! It is deliberately forgiving about what it does not need (numbers, multi-character
//! operators) and strict about what it does: an unterminated comment or literal, or
//! unbalanced delimiters, is an error, and callers then leave the text alone so that the
//! compiler reports the problem in the user's own file.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An identifier or keyword (`r#raw` included).
    Ident,
    /// `'a`, `'static`, a loop label.
    Lifetime,
    /// A string, byte string, C string, raw string, character or number literal.
    Literal,
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    /// Any other single character (`#`, `!`, `:`, `;` …).
    Punct(char),
    /// `//! …` or `/*! … */`: an inner doc attribute.
    InnerDoc,
    /// `/// …` or `/** … */`: an outer doc attribute.
    OuterDoc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    /// Byte range in the source.
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LexError {
    pub at: usize,
    pub what: &'static str,
}

/// Splits `src` into tokens (plain comments and whitespace are dropped; doc comments kept).
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, LexError> {
    Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        open: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    /// Open delimiters not yet closed: (byte, position).
    open: Vec<(u8, usize)>,
}

impl Lexer<'_> {
    fn run(mut self) -> Result<Vec<Token>, LexError> {
        while self.pos < self.b.len() {
            let start = self.pos;
            let c = self.b[start];
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'/' if self.peek(1) == Some(b'/') => self.line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.block_comment()?,
                b'"' => {
                    self.quoted(start + 1, b'"')?;
                    self.push(Kind::Literal, start);
                }
                b'\'' => self.quote_or_lifetime()?,
                b'r' | b'b' | b'c' if self.prefixed_literal()? => {}
                b'0'..=b'9' => self.number(),
                b'(' | b'[' | b'{' => {
                    self.open.push((c, start));
                    self.pos += 1;
                    self.push(Kind::Open(c), start);
                }
                b')' | b']' | b'}' => {
                    let want = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match self.open.pop() {
                        Some((o, _)) if o == want => {}
                        _ => {
                            return Err(LexError {
                                at: start,
                                what: "unbalanced delimiter",
                            });
                        }
                    }
                    self.pos += 1;
                    self.push(Kind::Close(c), start);
                }
                _ => {
                    let ch = self.char_at(start);
                    if is_ident_start(ch) {
                        self.ident();
                        self.push(Kind::Ident, start);
                    } else if ch.is_whitespace() {
                        self.pos += ch.len_utf8();
                    } else {
                        self.pos += ch.len_utf8();
                        self.push(Kind::Punct(ch), start);
                    }
                }
            }
        }
        if let Some(&(_, at)) = self.open.last() {
            return Err(LexError {
                at,
                what: "unclosed delimiter",
            });
        }
        Ok(self.tokens)
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.pos + ahead).copied()
    }

    fn char_at(&self, at: usize) -> char {
        self.src[at..].chars().next().unwrap_or('\0')
    }

    fn push(&mut self, kind: Kind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: start..self.pos,
        });
    }

    fn line_comment(&mut self) {
        let start = self.pos;
        let end = self.src[start..]
            .find('\n')
            .map_or(self.b.len(), |n| start + n);
        let text = &self.src[start..end];
        self.pos = end;
        if text.starts_with("//!") {
            self.push(Kind::InnerDoc, start);
        } else if text.starts_with("///") && !text.starts_with("////") {
            self.push(Kind::OuterDoc, start);
        }
    }

    fn block_comment(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        let mut depth = 0usize;
        let mut j = start;
        while j < self.b.len() {
            if self.b[j] == b'/' && self.b.get(j + 1) == Some(&b'*') {
                depth += 1;
                j += 2;
            } else if self.b[j] == b'*' && self.b.get(j + 1) == Some(&b'/') {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    self.pos = j;
                    let text = &self.src[start..j];
                    if text.starts_with("/*!") {
                        self.push(Kind::InnerDoc, start);
                    } else if text.starts_with("/**") && !text.starts_with("/***") && text != "/**/"
                    {
                        self.push(Kind::OuterDoc, start);
                    }
                    return Ok(());
                }
            } else {
                j += 1;
            }
        }
        Err(LexError {
            at: start,
            what: "unterminated block comment",
        })
    }

    /// Skips a quoted literal body from `from` (just after the opening quote) to just after
    /// the closing `close`, honouring backslash escapes.
    fn quoted(&mut self, from: usize, close: u8) -> Result<(), LexError> {
        let mut j = from;
        while j < self.b.len() {
            match self.b[j] {
                b'\\' => j += 2,
                c if c == close => {
                    self.pos = j + 1;
                    return Ok(());
                }
                _ => j += 1,
            }
        }
        Err(LexError {
            at: from.saturating_sub(1),
            what: "unterminated literal",
        })
    }

    /// A raw string whose `#`s start at `hashes_at`; returns false when it is not one.
    fn raw_string(&mut self, start: usize, hashes_at: usize) -> Result<bool, LexError> {
        let mut j = hashes_at;
        while self.b.get(j) == Some(&b'#') {
            j += 1;
        }
        if self.b.get(j) != Some(&b'"') {
            return Ok(false);
        }
        let hashes = j - hashes_at;
        let mut k = j + 1;
        while k < self.b.len() {
            if self.b[k] == b'"'
                && self.b.len() >= k + 1 + hashes
                && self.b[k + 1..k + 1 + hashes].iter().all(|&h| h == b'#')
            {
                self.pos = k + 1 + hashes;
                self.push(Kind::Literal, start);
                return Ok(true);
            }
            k += 1;
        }
        Err(LexError {
            at: start,
            what: "unterminated raw string",
        })
    }

    /// `r"…"`, `r#"…"#`, `b"…"`, `b'…'`, `br"…"`, `c"…"`, `cr"…"`, or a raw identifier.
    /// Returns false when the `r`/`b`/`c` starts a plain identifier.
    fn prefixed_literal(&mut self) -> Result<bool, LexError> {
        let start = self.pos;
        let c = self.b[start];
        let next = self.peek(1);
        match (c, next) {
            (b'r', Some(b'"')) => self.raw_string(start, start + 1),
            (b'r', Some(b'#')) => {
                if self.raw_string(start, start + 1)? {
                    return Ok(true);
                }
                // A raw identifier such as `r#type`.
                if self
                    .b
                    .get(start + 2)
                    .is_some_and(|&x| x.is_ascii_alphabetic() || x == b'_' || x >= 0x80)
                {
                    self.pos = start + 2;
                    self.ident();
                    self.push(Kind::Ident, start);
                    return Ok(true);
                }
                Ok(false)
            }
            (b'b' | b'c', Some(b'"')) => {
                self.quoted(start + 2, b'"')?;
                self.push(Kind::Literal, start);
                Ok(true)
            }
            (b'b', Some(b'\'')) => {
                self.quoted(start + 2, b'\'')?;
                self.push(Kind::Literal, start);
                Ok(true)
            }
            (b'b' | b'c', Some(b'r')) if matches!(self.peek(2), Some(b'"' | b'#')) => {
                self.raw_string(start, start + 2)
            }
            _ => Ok(false),
        }
    }

    fn quote_or_lifetime(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        let Some(&next) = self.b.get(start + 1) else {
            self.pos += 1;
            self.push(Kind::Punct('\''), start);
            return Ok(());
        };
        if next == b'\\' {
            // An escaped character: '\n', '\'', '\u{1F600}'.
            let mut j = start + 3;
            while j < self.b.len() && j < start + 14 {
                if self.b[j] == b'\'' {
                    self.pos = j + 1;
                    self.push(Kind::Literal, start);
                    return Ok(());
                }
                j += 1;
            }
            return Err(LexError {
                at: start,
                what: "unterminated character literal",
            });
        }
        let ch = self.char_at(start + 1);
        let after = start + 1 + ch.len_utf8();
        if self.b.get(after) == Some(&b'\'') {
            self.pos = after + 1;
            self.push(Kind::Literal, start);
        } else if is_ident_start(ch) {
            self.pos = start + 1;
            self.ident();
            self.push(Kind::Lifetime, start);
        } else {
            self.pos += 1;
            self.push(Kind::Punct('\''), start);
        }
        Ok(())
    }

    fn number(&mut self) {
        let start = self.pos;
        self.eat_ident_chars();
        if self.peek(0) == Some(b'.') && self.peek(1).is_some_and(|d| d.is_ascii_digit()) {
            self.pos += 1;
            self.eat_ident_chars();
        }
        self.push(Kind::Literal, start);
    }

    fn ident(&mut self) {
        self.eat_ident_chars();
    }

    fn eat_ident_chars(&mut self) {
        while self.pos < self.b.len() {
            let ch = self.char_at(self.pos);
            if ch == '_' || ch.is_alphanumeric() {
                self.pos += ch.len_utf8();
            } else {
                break;
            }
        }
    }
}

fn is_ident_start(ch: char) -> bool {
    ch == '_' || ch.is_alphabetic()
}

/// The text of an identifier token without a `r#` prefix.
pub(crate) fn ident_text<'a>(src: &'a str, t: &Token) -> &'a str {
    let s = &src[t.span.clone()];
    s.strip_prefix("r#").unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src)
            .unwrap()
            .into_iter()
            .map(|t| (t.kind, &src[t.span]))
            .collect()
    }

    #[test]
    fn comments_and_strings_hide_their_contents() {
        let src = "// #![x]\n/* #![y] /* nested */ */ \"#![z]\" r##\"\"#![w]\"## 'a' '\\'' b'x' x";
        assert_eq!(
            kinds(src),
            vec![
                (Kind::Literal, "\"#![z]\""),
                (Kind::Literal, "r##\"\"#![w]\"##"),
                (Kind::Literal, "'a'"),
                (Kind::Literal, "'\\''"),
                (Kind::Literal, "b'x'"),
                (Kind::Ident, "x"),
            ]
        );
    }

    #[test]
    fn doc_comments_are_tokens() {
        let src = "//! inner\n/// outer\n//// plain\n/*! in */ /** out */ /**/ /*** plain */";
        let k: Vec<Kind> = kinds(src).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            k,
            vec![
                Kind::InnerDoc,
                Kind::OuterDoc,
                Kind::InnerDoc,
                Kind::OuterDoc
            ]
        );
    }

    #[test]
    fn lifetimes_raw_idents_and_prefixed_literals() {
        assert_eq!(
            kinds("fn f<'a>(x: &'a str) { r#type; br\"]\"; c\"}\"; 'é'; 1.5e3 }").len(),
            23
        );
        assert_eq!(kinds("r#type")[0], (Kind::Ident, "r#type"));
        assert_eq!(kinds("'static")[0], (Kind::Lifetime, "'static"));
        assert_eq!(kinds("'é'")[0], (Kind::Literal, "'é'"));
        assert_eq!(kinds("cr##\"\"#\"##")[0], (Kind::Literal, "cr##\"\"#\"##"));
    }

    #[test]
    fn unterminated_and_unbalanced_are_errors() {
        for bad in ["/* x", "\"x", "r#\"x\"", "(", "(]", "}", "'\\"] {
            assert!(tokenize(bad).is_err(), "{bad:?}");
        }
    }
}
