//! What a query selected below the field being resolved, read before resolving it, so that a resolver reads only
//! what was asked for (the columns of a listing, the attributes of a search hit).

use std::collections::BTreeSet;

use async_graphql::Context;

/// The names of the fields selected on the objects at `path` below the current field (`["nodes"]`,
/// `["edges", "node"]`), through fragments and inline fragments, whatever their aliases. A field skipped by a
/// directive still counts: the set may be larger than what is resolved, never smaller.
pub fn names_at(ctx: &Context<'_>, path: &[&str]) -> BTreeSet<String> {
    let mut look = ctx.look_ahead();
    for step in path {
        look = look.field(step);
    }
    let mut names = BTreeSet::new();
    for field in look.selection_fields() {
        for child in field.selection_set() {
            names.insert(child.name().to_string());
        }
    }
    names
}

/// The fields selected on the nodes of a connection or search result: under `nodes` and under `edges { node }`.
pub fn node_fields(ctx: &Context<'_>) -> BTreeSet<String> {
    let mut names = names_at(ctx, &["nodes"]);
    names.extend(names_at(ctx, &["edges", "node"]));
    names
}
