//! NET_RECEIVE and the statements of event handling (net_send, net_event, net_move,
//! FOR_NETCONS), and the calls that are statements of their own (printf,
//! state_discontinuity).

use crate::body::{arity_message, plural, Expr, Scope};
use crate::declarations::{Context, Owner};
use nmodl_ir::{
    Block, MechanismKind, NetReceive, PrintfArgument, Statement, Storage, VariableKind,
};
use nmodl_syntax::ast;
use std::collections::HashMap;

impl Context {
    /// NET_RECEIVE: its parameters are the NetCon's weight vector. Returns where net_send is
    /// used, if it is.
    pub(crate) fn net_receive(
        &mut self,
        params: &[ast::Param],
        body: &ast::Block,
        at: ast::Span,
    ) -> Option<ast::Span> {
        if self.mech.net_receive.is_some() {
            self.error("a second NET_RECEIVE block; a mechanism has one", at);
            return None;
        }
        if self.mech.kind == MechanismKind::Density {
            self.error(
                "NET_RECEIVE is only for POINT_PROCESS and ARTIFICIAL_CELL mechanisms",
                at,
            );
        }
        self.net_receive_arity = Some(params.len());
        let mut scope = Scope::new(Owner::NetReceive, None);
        let mut parameters = Vec::new();
        for p in params {
            if scope.frames[0].contains_key(&p.name.name) {
                self.error(
                    format!("parameter {} is named twice", p.name.name),
                    p.name.span,
                );
            }
            let h = self.local_variable(&p.name, VariableKind::Argument, Storage::Weight, None);
            self.mech.variables[h].units = p.unit.as_ref().map(|u| u.text.clone());
            scope.bind(&p.name.name, h);
            parameters.push(h);
        }
        let (block, scope) = self.lower_body(scope, body);
        let span = self.sp(at);
        self.mech.net_receive = Some(NetReceive {
            parameters,
            locals: scope.locals,
            flag: scope.flag,
            initial: scope.nested_initial,
            body: block,
            span,
        });
        scope.uses_net_send
    }

    pub(crate) fn for_netcons(
        &mut self,
        scope: &mut Scope,
        params: &[ast::Param],
        body: &ast::Block,
        at: ast::Span,
        out: &mut Block,
    ) {
        if !self.only_in_net_receive(scope, "FOR_NETCONS", at) {
            return;
        }
        if let Some(n) = self.net_receive_arity {
            if n != params.len() {
                self.error(
                    format!(
                        "FOR_NETCONS takes as many arguments as NET_RECEIVE ({n}), but has {}",
                        params.len()
                    ),
                    at,
                );
                return;
            }
        }
        scope.frames.push(HashMap::new());
        let mut parameters = Vec::new();
        for p in params {
            let h = self.local_variable(&p.name, VariableKind::Argument, Storage::Weight, None);
            self.mech.variables[h].units = p.unit.as_ref().map(|u| u.text.clone());
            scope.bind(&p.name.name, h);
            parameters.push(h);
        }
        let body = self.nested(scope, body);
        scope.frames.pop();
        let span = self.sp(at);
        out.statements.push(Statement::ForNetcons {
            parameters,
            body,
            span,
        });
    }

    /// Calls that are statements of their own in the IR (events, printf,
    /// state_discontinuity); any other call is evaluated for its effect.
    pub(crate) fn call_statement(
        &mut self,
        scope: &mut Scope,
        call: &ast::Call,
        at: ast::Span,
        out: &mut Block,
    ) {
        let name = call.name.name.as_str();
        let span = self.sp(at);
        let statement = match name {
            "net_send" => {
                if !matches!(
                    scope.owner,
                    Owner::Initial | Owner::NetReceive | Owner::NetReceiveInitial
                ) {
                    self.error(
                        "net_send is only allowed in the INITIAL and NET_RECEIVE blocks",
                        call.span,
                    );
                    return;
                }
                let Some(args) = self.fixed_args(scope, call, 2) else {
                    return;
                };
                scope.uses_net_send = scope.uses_net_send.or(Some(call.span));
                Statement::NetSend {
                    delay: args[0],
                    flag: args[1],
                    span,
                }
            }
            "net_event" | "net_move" => {
                if !self.only_in_net_receive(scope, name, call.span) {
                    return;
                }
                let Some(args) = self.fixed_args(scope, call, 1) else {
                    return;
                };
                if name == "net_event" {
                    Statement::NetEvent {
                        time: args[0],
                        span,
                    }
                } else {
                    Statement::NetMove {
                        time: args[0],
                        span,
                    }
                }
            }
            "state_discontinuity" => {
                if call.args.len() != 2 {
                    self.error(
                        arity_message("state_discontinuity", "2 arguments", call.args.len()),
                        call.span,
                    );
                    return;
                }
                let lv = match &call.args[0].kind {
                    ast::ExprKind::Name(n) => ast::LValue {
                        name: n.clone(),
                        index: None,
                        span: call.args[0].span,
                    },
                    ast::ExprKind::Index { name, index } => ast::LValue {
                        name: name.clone(),
                        index: Some(index.clone()),
                        span: call.args[0].span,
                    },
                    _ => {
                        self.error(
                            "the first argument of state_discontinuity must be a variable",
                            call.args[0].span,
                        );
                        return;
                    }
                };
                let value = self.expr(scope, &call.args[1]);
                let Some((target, index)) = self.lvalue(scope, &lv) else {
                    return;
                };
                self.reads.insert(target);
                Statement::StateDiscontinuity {
                    target,
                    index,
                    value,
                    span,
                }
            }
            "printf" => {
                let mut arguments = Vec::new();
                for a in &call.args {
                    arguments.push(match &a.kind {
                        ast::ExprKind::String(s) => PrintfArgument::Text(s.value.clone()),
                        _ => PrintfArgument::Value(self.expr(scope, a)),
                    });
                }
                Statement::Printf { arguments, span }
            }
            _ => {
                let value = self.call(scope, call);
                Statement::Evaluate { value, span }
            }
        };
        out.statements.push(statement);
    }

    pub(crate) fn fixed_args(
        &mut self,
        scope: &mut Scope,
        call: &ast::Call,
        n: usize,
    ) -> Option<Vec<Expr>> {
        if call.args.len() != n {
            self.error(
                arity_message(&call.name.name, &plural(n, "argument"), call.args.len()),
                call.span,
            );
            return None;
        }
        Some(call.args.iter().map(|a| self.expr(scope, a)).collect())
    }
}
