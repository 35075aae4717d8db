//! The response in the order of the query, and `{}` (never null) for an object no fragment of which applies.
//!
//! async-graphql 7 resolves the fields of an object concurrently and stores each as it completes, so the order of
//! the keys changes from one run to the next; and it answers null for an object whose selection came out empty
//! (`node { ... on Notice { symbol } }` on a standard), even where the field is non-null. The GraphQL spec wants
//! the selection order (CollectFields) and an empty map. So, before execution, every selection set that holds a
//! fragment, or only fields under `@skip`/`@include`, gets one more field, `__zhiliang_type: __typename`: the
//! object then never comes out empty, and its concrete type is known. After execution the data are walked with
//! the document: each map is rebuilt in the order CollectFields gives for that object's type, and the added
//! field is taken out.

use std::collections::{HashMap, HashSet};

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value, Variables};

/// The response key of the field added to selection sets; a document may not use it.
pub const TYPE_KEY: &str = "__zhiliang_type";

/// What the walk needs of the schema: the root types and the members of every interface and union.
#[derive(Debug, Clone, Default)]
pub struct SchemaShape {
    pub query_type: String,
    pub mutation_type: Option<String>,
    possible: HashMap<String, HashSet<String>>,
}

impl SchemaShape {
    /// Reads the root types and possible types by introspection of the schema itself.
    pub async fn of<Q, M, S>(schema: &async_graphql::Schema<Q, M, S>) -> SchemaShape
    where
        Q: async_graphql::ObjectType + 'static,
        M: async_graphql::ObjectType + 'static,
        S: async_graphql::SubscriptionType + 'static,
    {
        let resp = schema
            .execute("{ __schema { queryType { name } mutationType { name } types { name possibleTypes { name } } } }")
            .await;
        let data = resp.data.into_json().unwrap_or_default();
        let s = &data["__schema"];
        let name = |v: &serde_json::Value| v["name"].as_str().map(str::to_string);
        let mut possible = HashMap::new();
        for t in s["types"].as_array().into_iter().flatten() {
            if let (Some(n), Some(list)) = (name(t), t["possibleTypes"].as_array()) {
                possible.insert(n, list.iter().filter_map(name).collect());
            }
        }
        SchemaShape {
            query_type: name(&s["queryType"]).unwrap_or_else(|| "Query".into()),
            mutation_type: name(&s["mutationType"]),
            possible,
        }
    }

    fn applies(&self, condition: &str, concrete: Option<&str>) -> bool {
        match concrete {
            None => true,
            Some(t) => condition == t || self.possible.get(condition).is_some_and(|p| p.contains(t)),
        }
    }
}

/// Whether the document uses the reserved response key itself.
pub fn uses_type_key(doc: &ExecutableDocument) -> bool {
    fn in_set(set: &SelectionSet) -> bool {
        set.items.iter().any(|i| match &i.node {
            Selection::Field(f) => {
                f.node.response_key().node.as_str() == TYPE_KEY || in_set(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => in_set(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => false,
        })
    }
    doc.operations.iter().any(|(_, op)| in_set(&op.node.selection_set.node))
        || doc.fragments.values().any(|f| in_set(&f.node.selection_set.node))
}

/// Adds `__zhiliang_type: __typename` to every field's selection set that needs it (see the module text).
pub fn add_type_fields(doc: &mut ExecutableDocument) {
    fn needs(set: &SelectionSet) -> bool {
        !set.items.is_empty()
            && (set.items.iter().any(|i| !matches!(i.node, Selection::Field(_)))
                || set.items.iter().all(|i| conditional(directives(&i.node))))
    }
    fn walk(set: &mut SelectionSet) {
        for item in &mut set.items {
            match &mut item.node {
                Selection::Field(f) => {
                    let sub = &mut f.node.selection_set;
                    if needs(&sub.node) {
                        let pos = sub.pos;
                        sub.node.items.push(Positioned::new(
                            Selection::Field(Positioned::new(
                                Field {
                                    alias: Some(Positioned::new(Name::new(TYPE_KEY), pos)),
                                    name: Positioned::new(Name::new("__typename"), pos),
                                    arguments: Vec::new(),
                                    directives: Vec::new(),
                                    selection_set: Positioned::new(SelectionSet::default(), pos),
                                },
                                pos,
                            )),
                            pos,
                        ));
                    }
                    walk(&mut sub.node);
                }
                Selection::InlineFragment(f) => walk(&mut f.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    match &mut doc.operations {
        async_graphql::parser::types::DocumentOperations::Single(op) => walk(&mut op.node.selection_set.node),
        async_graphql::parser::types::DocumentOperations::Multiple(map) => {
            for op in map.values_mut() {
                walk(&mut op.node.selection_set.node);
            }
        }
    }
    for frag in doc.fragments.values_mut() {
        walk(&mut frag.node.selection_set.node);
    }
}

fn directives(s: &Selection) -> &[Positioned<Directive>] {
    match s {
        Selection::Field(f) => &f.node.directives,
        Selection::InlineFragment(f) => &f.node.directives,
        Selection::FragmentSpread(f) => &f.node.directives,
    }
}

fn conditional(d: &[Positioned<Directive>]) -> bool {
    d.iter()
        .any(|d| matches!(d.node.name.node.as_str(), "skip" | "include"))
}

/// The operation's variables with their defaults, for `@skip` and `@include`.
struct Walk<'a> {
    doc: &'a ExecutableDocument,
    shape: &'a SchemaShape,
    variables: &'a Variables,
    op: &'a OperationDefinition,
}

impl Walk<'_> {
    fn flag(&self, v: &async_graphql::parser::types::Directive, arg: &str) -> Option<bool> {
        let (_, value) = v.arguments.iter().find(|(n, _)| n.node.as_str() == arg)?;
        match &value.node {
            async_graphql_value::Value::Boolean(b) => Some(*b),
            async_graphql_value::Value::Variable(name) => match self.variables.get(name) {
                Some(Value::Boolean(b)) => Some(*b),
                _ => self
                    .op
                    .variable_definitions
                    .iter()
                    .find(|d| d.node.name.node == *name)
                    .and_then(|d| d.node.default_value.as_ref())
                    .and_then(|v| match &v.node {
                        Value::Boolean(b) => Some(*b),
                        _ => None,
                    }),
            },
            _ => None,
        }
    }

    fn included(&self, ds: &[Positioned<Directive>]) -> bool {
        ds.iter().all(|d| match d.node.name.node.as_str() {
            "skip" => self.flag(&d.node, "if") != Some(true),
            "include" => self.flag(&d.node, "if") != Some(false),
            _ => true,
        })
    }

    fn collect<'d>(
        &'d self,
        set: &'d SelectionSet,
        concrete: Option<&str>,
        out: &mut IndexMap<&'d str, Vec<&'d Field>>,
        seen: &mut HashSet<&'d str>,
    ) {
        for item in &set.items {
            if !self.included(directives(&item.node)) {
                continue;
            }
            match &item.node {
                Selection::Field(f) => out
                    .entry(f.node.response_key().node.as_str())
                    .or_default()
                    .push(&f.node),
                Selection::InlineFragment(f) => {
                    let applies = f
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| self.shape.applies(c.node.on.node.as_str(), concrete));
                    if applies {
                        self.collect(&f.node.selection_set.node, concrete, out, seen);
                    }
                }
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    if let Some(frag) = self.doc.fragments.get(&s.node.fragment_name.node)
                        && seen.insert(name)
                        && self
                            .shape
                            .applies(frag.node.type_condition.node.on.node.as_str(), concrete)
                    {
                        self.collect(&frag.node.selection_set.node, concrete, out, seen);
                    }
                }
            }
        }
    }

    fn value(&self, sets: &[&SelectionSet], static_type: Option<&str>, value: &mut Value) {
        match value {
            Value::List(items) => {
                // The items of a list share their selection: its fields are collected once for each concrete type.
                let mut memo = None;
                for v in items {
                    match v {
                        Value::Object(map) => self.object(sets, static_type, map, &mut memo),
                        _ => self.value(sets, static_type, v),
                    }
                }
            }
            Value::Object(map) => self.object(sets, static_type, map, &mut None),
            _ => {}
        }
    }

    /// Rebuilds `map` in the order CollectFields gives for its type (`memo`: the fields collected for the type
    /// of the list item before it); a map already in that order is left as it is.
    fn object<'d>(
        &'d self,
        sets: &[&'d SelectionSet],
        static_type: Option<&str>,
        map: &mut IndexMap<Name, Value>,
        memo: &mut Option<(Option<String>, Collected<'d>)>,
    ) {
        let concrete = match map.get(TYPE_KEY) {
            Some(Value::String(t)) => Some(t.as_str()),
            _ => static_type,
        };
        if memo.as_ref().is_none_or(|(t, _)| t.as_deref() != concrete) {
            let mut fields = IndexMap::new();
            let mut seen = HashSet::new();
            for set in sets {
                self.collect(set, concrete, &mut fields, &mut seen);
            }
            let subs = fields
                .into_iter()
                .map(|(key, group)| {
                    let subs: Vec<&SelectionSet> = group
                        .iter()
                        .map(|f| &f.selection_set.node)
                        .filter(|s| !s.items.is_empty())
                        .collect();
                    (key, subs)
                })
                .collect();
            *memo = Some((concrete.map(str::to_string), subs));
        }
        let Some((_, fields)) = memo.as_ref() else {
            return;
        };
        map.shift_remove(TYPE_KEY);
        let in_order = map.len() == fields.len() && map.keys().zip(fields.iter()).all(|(k, (f, _))| k.as_str() == *f);
        if in_order {
            for ((_, v), (_, subs)) in map.iter_mut().zip(fields.iter()) {
                if !subs.is_empty() {
                    self.value(subs, None, v);
                }
            }
            return;
        }
        let mut old = std::mem::take(map);
        let mut new = IndexMap::with_capacity(old.len());
        for (key, subs) in fields {
            let Some((name, mut v)) = old.shift_remove_entry(*key) else {
                continue;
            };
            if !subs.is_empty() {
                self.value(subs, None, &mut v);
            }
            new.insert(name, v);
        }
        // Nothing should be left; if something is, it is kept rather than lost.
        new.extend(old);
        *map = new;
    }
}

/// The response keys of an object's fields in CollectFields order, each with the selection sets under it.
type Collected<'d> = Vec<(&'d str, Vec<&'d SelectionSet>)>;

/// Puts `data` in the order of `op`'s selections, and takes out the added type fields.
pub fn order_response(
    doc: &ExecutableDocument,
    op: &OperationDefinition,
    shape: &SchemaShape,
    variables: &Variables,
    data: &mut Value,
) {
    let root = match op.ty {
        async_graphql::parser::types::OperationType::Mutation => shape.mutation_type.as_deref(),
        _ => Some(shape.query_type.as_str()),
    };
    let walk = Walk {
        doc,
        shape,
        variables,
        op,
    };
    walk.value(&[&op.selection_set.node], root, data);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields of a list's items are collected once for each concrete type: items of another type, or of the
    /// first type again after one of another, still take their own type's order; items already in order stay so.
    #[test]
    fn list_items_of_different_types_each_take_their_own_order() {
        let doc =
            async_graphql::parser::parse_query("{ items { ... on A { a1 a2 } ... on B { b2 b1 } shared } }").unwrap();
        let op = &doc.operations.iter().next().unwrap().1.node;
        let shape = SchemaShape {
            query_type: "Query".into(),
            mutation_type: None,
            possible: HashMap::from([("U".to_string(), HashSet::from(["A".to_string(), "B".to_string()]))]),
        };
        let mut data = async_graphql::value!({
            "items": [
                { "shared": 1, "a2": 2, "a1": 1, "__zhiliang_type": "A" },
                { "b1": 1, "shared": 2, "b2": 2, "__zhiliang_type": "B" },
                { "a1": 1, "a2": 2, "shared": 3, "__zhiliang_type": "A" },
                { "a1": 1, "a2": 2, "shared": 4 },
            ]
        });
        order_response(&doc, op, &shape, &Variables::default(), &mut data);
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"items":[{"a1":1,"a2":2,"shared":1},{"b2":2,"b1":1,"shared":2},{"a1":1,"a2":2,"shared":3},{"a1":1,"a2":2,"shared":4}]}"#
        );
    }
}
