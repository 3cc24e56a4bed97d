//! INCLUDE: the included file's items are spliced in at the INCLUDE, as nocmodl does with
//! the text. Diagnostics about included text point at the INCLUDE statement and say where in
//! the included file the problem is.

use crate::declarations::Context;
use crate::IncludeResolver;
use nmodl_syntax::ast::{self, ItemKind};
use nmodl_syntax::diagnostics::line_col;
use std::path::PathBuf;

/// The text of an included file and the name to show for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludedFile {
    pub name: String,
    pub text: String,
}

/// Reads `INCLUDE "name"` as the file `dir/name` (nocmodl looks beside the including .mod).
pub fn folder_resolver(dir: PathBuf) -> impl FnMut(&str) -> Result<IncludedFile, String> {
    move |name: &str| {
        let path = dir.join(name);
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("cannot read the included file {name}: {e}"))?;
        Ok(IncludedFile {
            name: name.to_string(),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}

/// Where an item that came from an included file was included.
pub(crate) struct Origin {
    /// The INCLUDE statement in the analyzed file.
    pub include_span: ast::Span,
    pub name: String,
    pub text: String,
}

impl Origin {
    pub fn note(&self, at: ast::Span) -> String {
        let (line, col) = line_col(&self.text, at.start as usize);
        format!("in the included file {}:{line}:{col}", self.name)
    }
}

/// An item of the analyzed file or of a file it includes (`origin` indexes `Context::origins`).
pub(crate) struct Located {
    pub item: ast::Item,
    pub origin: Option<usize>,
}

const MAX_DEPTH: usize = 8;

pub(crate) fn expand(
    cx: &mut Context,
    file: &ast::File,
    mut resolver: Option<&mut IncludeResolver<'_>>,
) -> Vec<Located> {
    let mut out = Vec::new();
    let mut stack = Vec::new();
    splice(cx, &file.items, None, &mut resolver, &mut stack, &mut out);
    out
}

fn splice(
    cx: &mut Context,
    items: &[ast::Item],
    origin: Option<usize>,
    resolver: &mut Option<&mut IncludeResolver<'_>>,
    stack: &mut Vec<String>,
    out: &mut Vec<Located>,
) {
    for item in items {
        let ItemKind::Include(name) = &item.kind else {
            out.push(Located {
                item: item.clone(),
                origin,
            });
            continue;
        };
        cx.origin = origin;
        let include_span = match origin {
            Some(o) => cx.origins[o].include_span,
            None => item.span,
        };
        let Some(resolve) = resolver.as_deref_mut() else {
            cx.error(
                format!(
                    "cannot read the included file {}: no folder to look in was given",
                    name.value
                ),
                name.span,
            );
            continue;
        };
        if stack.contains(&name.value) || stack.len() >= MAX_DEPTH {
            cx.error(
                format!(
                    "INCLUDE \"{}\" includes itself (through {})",
                    name.value,
                    stack.join(", ")
                ),
                name.span,
            );
            continue;
        }
        let included = match resolve(&name.value) {
            Ok(f) => f,
            Err(message) => {
                cx.error(message, name.span);
                continue;
            }
        };
        cx.mech.includes.push(name.value.clone());
        let parsed = nmodl_syntax::parse(&included.text);
        let index = cx.origins.len();
        cx.origins.push(Origin {
            include_span,
            name: included.name,
            text: included.text,
        });
        cx.origin = Some(index);
        for d in parsed.diagnostics.iter().filter(|d| d.is_error()) {
            cx.error(d.message.clone(), d.span);
        }
        stack.push(name.value.clone());
        splice(cx, &parsed.file.items, Some(index), resolver, stack, out);
        stack.pop();
    }
    cx.origin = None;
}

/// Calls `f` on every statement of every body of `items`, nested statements included.
pub(crate) fn for_each_statement<'a>(
    items: impl Iterator<Item = &'a Located>,
    f: &mut dyn FnMut(&'a ast::Stmt),
) {
    fn block<'a>(b: &'a ast::Block, f: &mut dyn FnMut(&'a ast::Stmt)) {
        for s in &b.stmts {
            stmt(s, f);
        }
    }
    fn stmt<'a>(s: &'a ast::Stmt, f: &mut dyn FnMut(&'a ast::Stmt)) {
        use ast::StmtKind as K;
        f(s);
        match &s.kind {
            K::If(i) => if_stmt(i, f),
            K::While { body, .. }
            | K::FromLoop { body, .. }
            | K::ForNetcons { body, .. }
            | K::Block(body)
            | K::Initial(body) => block(body, f),
            K::Protect(inner) => stmt(inner, f),
            _ => {}
        }
    }
    fn if_stmt<'a>(i: &'a ast::IfStmt, f: &mut dyn FnMut(&'a ast::Stmt)) {
        block(&i.then_block, f);
        match &i.else_branch {
            Some(ast::ElseBranch::Else(b)) => block(b, f),
            Some(ast::ElseBranch::ElseIf(inner)) => if_stmt(inner, f),
            None => {}
        }
    }
    for l in items {
        match &l.item.kind {
            ItemKind::Initial(b)
            | ItemKind::Breakpoint(b)
            | ItemKind::Constructor(b)
            | ItemKind::Destructor(b)
            | ItemKind::Derivative { body: b, .. }
            | ItemKind::Kinetic { body: b, .. }
            | ItemKind::Linear { body: b, .. }
            | ItemKind::NonLinear { body: b, .. }
            | ItemKind::NetReceive { body: b, .. }
            | ItemKind::Before { body: b, .. }
            | ItemKind::After { body: b, .. } => block(b, f),
            ItemKind::Procedure(c) | ItemKind::Function(c) => block(&c.body, f),
            _ => {}
        }
    }
}
