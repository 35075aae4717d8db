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

/// The names of the fields selected on objects of type `ty` at `path` below the current field, where that
/// selection is of a union or interface: fragments on a type among `others` (the union's other members) are left
/// out, fragments on `ty` or on an interface count. Fragments on the way along `path` are followed.
pub fn names_on(ctx: &Context<'_>, path: &[&str], ty: &str, others: &[&str]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let fragments = &ctx.query_env.fragments;
    collect(
        &ctx.item.node.selection_set.node,
        fragments,
        path,
        ty,
        others,
        &mut names,
    );
    names
}

type Fragments = std::collections::HashMap<async_graphql::Name, async_graphql::Positioned<FragmentDefinition>>;

use async_graphql::parser::types::{FragmentDefinition, Selection, SelectionSet};

fn collect(
    set: &SelectionSet,
    fragments: &Fragments,
    path: &[&str],
    ty: &str,
    others: &[&str],
    out: &mut BTreeSet<String>,
) {
    let applies = |on: &str| on == ty || !others.contains(&on);
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => match path.split_first() {
                None => {
                    out.insert(f.node.name.node.to_string());
                }
                Some((step, rest)) if f.node.name.node == *step => {
                    collect(&f.node.selection_set.node, fragments, rest, ty, others, out);
                }
                Some(_) => {}
            },
            Selection::InlineFragment(frag) => {
                let on = frag.node.type_condition.as_ref().map(|c| c.node.on.node.as_str());
                if path.is_empty() && !on.is_none_or(applies) {
                    continue;
                }
                collect(&frag.node.selection_set.node, fragments, path, ty, others, out);
            }
            Selection::FragmentSpread(spread) => {
                let Some(def) = fragments.get(&spread.node.fragment_name.node) else {
                    continue;
                };
                if path.is_empty() && !applies(def.node.type_condition.node.on.node.as_str()) {
                    continue;
                }
                collect(&def.node.selection_set.node, fragments, path, ty, others, out);
            }
        }
    }
}
