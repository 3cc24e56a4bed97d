use nmodl_ir::Span;
use std::fmt;

/// Why a mechanism could not be compiled. `span` points into the .mod source when known.
#[derive(Debug, Clone, PartialEq)]
pub struct CodegenError {
    pub span: Option<Span>,
    pub message: String,
    /// The construct is valid NMODL that this back end does not implement yet.
    pub unsupported: bool,
}

impl CodegenError {
    pub fn at(span: Span, message: String) -> Self {
        CodegenError {
            span: Some(span),
            message,
            unsupported: false,
        }
    }

    pub fn unsupported(span: Span, message: String) -> Self {
        CodegenError {
            span: Some(span),
            message,
            unsupported: true,
        }
    }

    pub fn internal(message: String) -> Self {
        CodegenError {
            span: None,
            message,
            unsupported: false,
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CodegenError {}
