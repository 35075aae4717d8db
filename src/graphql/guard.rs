//! Limits checked before any recursive parser or visitor sees a request: nesting of brackets in the query text
//! and in JSON, the number of tokens, and the number of fields (aliases and fragments expanded) in a document.
//!
//! The GraphQL parser, the validator and serde_json all recurse once per level of nesting; a request a few
//! kilobytes long can nest deep enough to overflow a thread's stack, which aborts the whole process. The scans
//! here are loops over bytes with a counter, so they cannot overflow, and they refuse such a request with a code.

use std::collections::HashMap;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Selection, SelectionSet};

use crate::error::Code;

/// Deepest nesting of `{`, `[` and `(` in a query text.
pub const MAX_NESTING: usize = 32;
/// Deepest nesting of arrays and objects in a JSON body or `variables` parameter.
pub const MAX_JSON_NESTING: usize = 32;
/// Most tokens (names, punctuators, numbers, strings) in a query text.
pub const MAX_TOKENS: usize = 20_000;
/// Most fields selected by one operation, counted with aliases and with each fragment counted wherever it is
/// spread.
pub const MAX_FIELDS: usize = 1_000;
/// Most fields (aliases counted) at the root of one operation: each root field is a lookup or a search of its own.
pub const MAX_ROOT_FIELDS: usize = 50;
/// Deepest nesting of selections (a root field is 1), introspection excepted.
pub const MAX_DEPTH: usize = 12;
/// Most values in one list (an argument, a variable): filters turn each value into a condition, and SQL builders
/// nest long disjunctions one level per value.
pub const MAX_LIST_ITEMS: usize = 100;

/// A request refused by a limit: its code and what to tell the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: Code,
    pub message: String,
}

fn refuse(code: Code, message: String) -> Refusal {
    Refusal { code, message }
}

/// Scans a GraphQL text: nesting of brackets (outside strings and comments) and the number of tokens.
pub fn scan_query(text: &str) -> Result<(), Refusal> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    let mut tokens = 0usize;
    let mut in_word = false;
    while i < b.len() {
        let c = b[i];
        let word_char = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' || c >= 0x80;
        if word_char {
            if !in_word {
                tokens += 1;
                in_word = true;
            }
            i += 1;
            continue;
        }
        in_word = false;
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                tokens += 1;
                if b[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                        i += if b[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                continue;
            }
            b'{' | b'[' | b'(' => {
                tokens += 1;
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(refuse(
                        Code::NestingTooDeep,
                        format!("the query nests brackets more than {MAX_NESTING} deep"),
                    ));
                }
            }
            b'}' | b']' | b')' => {
                tokens += 1;
                depth = depth.saturating_sub(1);
            }
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {}
            _ => tokens += 1,
        }
        if tokens > MAX_TOKENS {
            return Err(refuse(
                Code::TooManyFields,
                format!("the query has more than {MAX_TOKENS} tokens"),
            ));
        }
        i += 1;
    }
    if tokens > MAX_TOKENS {
        return Err(refuse(
            Code::TooManyFields,
            format!("the query has more than {MAX_TOKENS} tokens"),
        ));
    }
    Ok(())
}

/// Scans JSON text for nesting of arrays and objects (outside strings). Says nothing about its validity.
pub fn scan_json(bytes: &[u8]) -> Result<(), Refusal> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_NESTING {
                    return Err(refuse(
                        Code::NestingTooDeep,
                        format!("the JSON nests arrays or objects more than {MAX_JSON_NESTING} deep"),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Counts the fields of every operation with fragments expanded (each fragment's size computed once), and
/// refuses fragment cycles, too many fields and too many root fields. Runs after parsing, before validation,
/// whose visitors expand fragments wherever they are spread.
pub fn check_document(doc: &ExecutableDocument) -> Result<(), Refusal> {
    check_document_lists(doc)?;
    let mut sizes: HashMap<&str, Size> = HashMap::new();
    for name in doc.fragments.keys() {
        fragment_size(doc, name.as_str(), &mut sizes, 0)?;
    }
    let ops: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(map) => map.values().collect(),
    };
    for op in ops {
        let set = &op.node.selection_set.node;
        let total = set_size(doc, set, &mut sizes, 0)?;
        if total > MAX_FIELDS {
            return Err(refuse(
                Code::TooManyFields,
                format!("the operation selects {total} fields (aliases and fragments counted); at most {MAX_FIELDS}"),
            ));
        }
        let mut depths = HashMap::new();
        let deepest = set
            .items
            .iter()
            .map(|item| match &item.node {
                // Introspection is bounded by the schema itself; GraphiQL's schema query is 13 deep.
                Selection::Field(f) if f.node.name.node.starts_with("__") => 0,
                _ => item_depth(doc, &item.node, &mut depths),
            })
            .max()
            .unwrap_or(0);
        if deepest > MAX_DEPTH {
            return Err(refuse(
                Code::QueryTooDeep,
                format!("the operation nests selections {deepest} deep; at most {MAX_DEPTH}"),
            ));
        }
        let roots = root_fields(doc, set, 0);
        if roots > MAX_ROOT_FIELDS {
            return Err(refuse(
                Code::TooManyFields,
                format!("the operation has {roots} root fields (aliases counted); at most {MAX_ROOT_FIELDS}"),
            ));
        }
    }
    Ok(())
}

fn too_long(n: usize) -> Refusal {
    refuse(
        Code::BadUserInput,
        format!("a list holds at most {MAX_LIST_ITEMS} values; this one has {n}"),
    )
}

fn nul() -> Refusal {
    refuse(
        Code::BadUserInput,
        "text may not contain the NUL character (U+0000)".to_string(),
    )
}

/// Refuses a list of more than `MAX_LIST_ITEMS` values, or text with a NUL character (which PostgreSQL cannot
/// store or compare), anywhere in a JSON value (the variables).
pub fn check_json_lists(v: &serde_json::Value) -> Result<(), Refusal> {
    match v {
        serde_json::Value::String(t) if t.contains('\0') => Err(nul()),
        serde_json::Value::Array(items) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(too_long(items.len()));
            }
            items.iter().try_for_each(check_json_lists)
        }
        serde_json::Value::Object(map) => map.values().try_for_each(check_json_lists),
        _ => Ok(()),
    }
}

/// Refuses a list literal of more than `MAX_LIST_ITEMS` values, or text with a NUL character, in any argument,
/// directive or default value.
fn check_document_lists(doc: &ExecutableDocument) -> Result<(), Refusal> {
    use async_graphql_value::{ConstValue, Value};
    fn value(v: &Value) -> Result<(), Refusal> {
        match v {
            Value::String(t) if t.contains('\0') => Err(nul()),
            Value::List(items) if items.len() > MAX_LIST_ITEMS => Err(too_long(items.len())),
            Value::List(items) => items.iter().try_for_each(value),
            Value::Object(map) => map.values().try_for_each(value),
            _ => Ok(()),
        }
    }
    fn constant(v: &ConstValue) -> Result<(), Refusal> {
        match v {
            ConstValue::String(t) if t.contains('\0') => Err(nul()),
            ConstValue::List(items) if items.len() > MAX_LIST_ITEMS => Err(too_long(items.len())),
            ConstValue::List(items) => items.iter().try_for_each(constant),
            ConstValue::Object(map) => map.values().try_for_each(constant),
            _ => Ok(()),
        }
    }
    fn directives(ds: &[async_graphql::Positioned<async_graphql::parser::types::Directive>]) -> Result<(), Refusal> {
        ds.iter()
            .flat_map(|d| d.node.arguments.iter())
            .try_for_each(|(_, v)| value(&v.node))
    }
    fn set(s: &SelectionSet) -> Result<(), Refusal> {
        for item in &s.items {
            match &item.node {
                Selection::Field(f) => {
                    f.node.arguments.iter().try_for_each(|(_, v)| value(&v.node))?;
                    directives(&f.node.directives)?;
                    set(&f.node.selection_set.node)?;
                }
                Selection::InlineFragment(f) => {
                    directives(&f.node.directives)?;
                    set(&f.node.selection_set.node)?;
                }
                Selection::FragmentSpread(f) => directives(&f.node.directives)?,
            }
        }
        Ok(())
    }
    for (_, op) in doc.operations.iter() {
        for d in &op.node.variable_definitions {
            if let Some(v) = &d.node.default_value {
                constant(&v.node)?;
            }
        }
        directives(&op.node.directives)?;
        set(&op.node.selection_set.node)?;
    }
    for f in doc.fragments.values() {
        set(&f.node.selection_set.node)?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Size {
    Visiting,
    Done(usize),
}

fn fragment_size<'a>(
    doc: &'a ExecutableDocument,
    name: &'a str,
    sizes: &mut HashMap<&'a str, Size>,
    hops: usize,
) -> Result<usize, Refusal> {
    match sizes.get(name) {
        Some(Size::Done(n)) => return Ok(*n),
        Some(Size::Visiting) => {
            return Err(refuse(
                Code::GraphqlValidationFailed,
                format!("fragment \"{name}\" spreads itself (a fragment cycle)"),
            ));
        }
        None => {}
    }
    // Unknown fragments are left to validation, which names them.
    let Some((key, frag)) = doc.fragments.get_key_value(name) else {
        return Ok(0);
    };
    if hops > MAX_NESTING {
        return Err(refuse(
            Code::NestingTooDeep,
            format!("fragments spread each other more than {MAX_NESTING} deep"),
        ));
    }
    sizes.insert(key.as_str(), Size::Visiting);
    let n = set_size(doc, &frag.node.selection_set.node, sizes, hops + 1)?;
    sizes.insert(key.as_str(), Size::Done(n));
    Ok(n)
}

fn set_size<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    sizes: &mut HashMap<&'a str, Size>,
    hops: usize,
) -> Result<usize, Refusal> {
    let mut n = 0usize;
    for item in &set.items {
        n = n.saturating_add(match &item.node {
            Selection::Field(f) => 1usize.saturating_add(set_size(doc, &f.node.selection_set.node, sizes, hops)?),
            Selection::InlineFragment(f) => set_size(doc, &f.node.selection_set.node, sizes, hops)?,
            Selection::FragmentSpread(s) => fragment_size(doc, s.node.fragment_name.node.as_str(), sizes, hops)?,
        });
    }
    Ok(n)
}

/// Depth of a selection (a field counts one, a fragment nothing), each fragment's depth computed once. Called
/// after `fragment_size`, so fragments are known to be acyclic.
fn item_depth<'a>(doc: &'a ExecutableDocument, item: &'a Selection, memo: &mut HashMap<&'a str, usize>) -> usize {
    let set_depth = |set: &'a SelectionSet, memo: &mut HashMap<&'a str, usize>| {
        set.items
            .iter()
            .map(|i| item_depth(doc, &i.node, memo))
            .max()
            .unwrap_or(0)
    };
    match item {
        Selection::Field(f) => 1 + set_depth(&f.node.selection_set.node, memo),
        Selection::InlineFragment(f) => set_depth(&f.node.selection_set.node, memo),
        Selection::FragmentSpread(s) => {
            let name = s.node.fragment_name.node.as_str();
            if let Some(d) = memo.get(name) {
                return *d;
            }
            let Some((key, frag)) = doc.fragments.get_key_value(name) else {
                return 0;
            };
            memo.insert(key.as_str(), 0);
            let d = set_depth(&frag.node.selection_set.node, memo);
            memo.insert(key.as_str(), d);
            d
        }
    }
}

/// Root fields of a selection set, through fragments (which are known to be acyclic here).
fn root_fields(doc: &ExecutableDocument, set: &SelectionSet, hops: usize) -> usize {
    if hops > MAX_NESTING {
        return 0;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(f) => root_fields(doc, &f.node.selection_set.node, hops + 1),
            Selection::FragmentSpread(s) => doc
                .fragments
                .get(&s.node.fragment_name.node)
                .map_or(0, |f| root_fields(doc, &f.node.selection_set.node, hops + 1)),
        })
        .fold(0usize, usize::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_brackets_are_refused_shallow_ones_pass() {
        assert!(scan_query("{ notices(first: 2, filter: {hsCodes: [\"9503\"]}) { nodes { symbol } } }").is_ok());
        let deep = format!("{{ nodes(ids: {}{}) {{ id }} }}", "[".repeat(2000), "]".repeat(2000));
        assert_eq!(scan_query(&deep).unwrap_err().code, Code::NestingTooDeep);
        let objects = format!("{{ a(x: {}1{}) }}", "{a:".repeat(500), "}".repeat(500));
        assert_eq!(scan_query(&objects).unwrap_err().code, Code::NestingTooDeep);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let s = format!("{{ a(x: \"{}\") # {}\n }}", "[".repeat(100), "{".repeat(100));
        assert!(scan_query(&s).is_ok());
        let block = format!("{{ a(x: \"\"\"{}\\\"\"\"{}\"\"\") }}", "[".repeat(100), "(".repeat(50));
        assert!(scan_query(&block).is_ok());
        let escaped = format!("{{ a(x: \"\\\"{}\") }}", "{".repeat(100));
        assert!(scan_query(&escaped).is_ok());
    }

    #[test]
    fn json_nesting() {
        assert!(scan_json(br#"{"query":"{ a }","variables":{"f":{"hsCodes":["9503"]}}}"#).is_ok());
        let deep = format!("{{\"variables\":{}{}}}", "[".repeat(100), "]".repeat(100));
        assert_eq!(scan_json(deep.as_bytes()).unwrap_err().code, Code::NestingTooDeep);
        let in_string = format!("{{\"query\":\"{}\"}}", "[".repeat(100));
        assert!(scan_json(in_string.as_bytes()).is_ok());
    }

    #[test]
    fn too_many_tokens() {
        let many = format!("{{ {} }}", "a ".repeat(MAX_TOKENS + 1));
        assert_eq!(scan_query(&many).unwrap_err().code, Code::TooManyFields);
    }

    fn parse(q: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(q).unwrap()
    }

    #[test]
    fn aliases_and_fragments_are_counted() {
        let aliases: String = (0..60).map(|i| format!("a{i}: __typename ")).collect();
        let err = check_document(&parse(&format!("{{ {aliases} }}"))).unwrap_err();
        assert_eq!(err.code, Code::TooManyFields);
        assert!(err.message.contains("root fields"), "{}", err.message);

        // A fragment bomb: each level doubles; 2^12 fields from a text of a few lines.
        let mut q = String::from("{ ...F0 }\n");
        for i in 0..12 {
            q.push_str(&format!(
                "fragment F{i} on Query {{ a: node(id: \"x\") {{ ...F{} }} b: node(id: \"y\") {{ ...F{} }} }}\n",
                i + 1,
                i + 1
            ));
        }
        q.push_str("fragment F12 on Query { __typename }\n");
        let err = check_document(&parse(&q)).unwrap_err();
        assert_eq!(err.code, Code::TooManyFields);

        let cycle = parse("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }");
        assert_eq!(check_document(&cycle).unwrap_err().code, Code::GraphqlValidationFailed);

        assert!(check_document(&parse("{ notices(first: 2) { nodes { symbol } } }")).is_ok());
    }

    #[test]
    fn long_lists_are_refused_in_literals_defaults_and_variables() {
        let list = |n: usize| format!("[{}]", vec!["\"9503\""; n].join(", "));
        let ok = format!(
            "{{ notices(filter: {{hsCodes: {}}}) {{ totalCount }} }}",
            list(MAX_LIST_ITEMS)
        );
        assert!(check_document(&parse(&ok)).is_ok());
        let long = format!(
            "{{ notices(filter: {{hsCodes: {}}}) {{ totalCount }} }}",
            list(MAX_LIST_ITEMS + 1)
        );
        assert_eq!(check_document(&parse(&long)).unwrap_err().code, Code::BadUserInput);
        let default = format!("query($h: [String!] = {}) {{ __typename }}", list(1000));
        assert_eq!(check_document(&parse(&default)).unwrap_err().code, Code::BadUserInput);
        let vars = serde_json::json!({"filter": {"hsCodes": vec!["9503"; 1000]}});
        assert_eq!(check_json_lists(&vars).unwrap_err().code, Code::BadUserInput);
        assert!(check_json_lists(&serde_json::json!({"ids": vec!["x"; 100]})).is_ok());
        let nul = check_document(&parse("{ enterprise(name: \"a\\u0000b\") { name } }")).unwrap_err();
        assert_eq!(nul.code, Code::BadUserInput);
        let nul = check_json_lists(&serde_json::json!({"f": {"name": "a\u{0}b"}})).unwrap_err();
        assert_eq!(nul.code, Code::BadUserInput);
    }

    #[test]
    fn depth_counts_fields_through_fragments_but_not_introspection() {
        let nest = |n: usize| format!("{}symbol{}", "a { ".repeat(n - 1), " }".repeat(n - 1));
        assert!(check_document(&parse(&format!("{{ {} }}", nest(12)))).is_ok());
        let err = check_document(&parse(&format!("{{ {} }}", nest(13)))).unwrap_err();
        assert_eq!(err.code, Code::QueryTooDeep);
        let through = format!("{{ a {{ ...F }} }} fragment F on T {{ {} }}", nest(12));
        assert_eq!(check_document(&parse(&through)).unwrap_err().code, Code::QueryTooDeep);
        let intro = format!("{{ __schema {{ {} }} }}", nest(14));
        assert!(check_document(&parse(&intro)).is_ok());
    }
}
