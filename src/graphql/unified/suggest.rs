//! Suggestions: completions of a prefix from the headlines of a federated search's best hits.

use meilisearch_sdk::search::{FederationOptions, Selectors};

use super::plan::{Plan, PlanIndexes};
use super::{SearchType, Suggestion};
use crate::context::AppContext;
use crate::search::formatted_field;
use crate::search::text::{POST, PRE, prepare_query};

/// The field of a kind's code, shown beside a suggestion.
fn code_field(t: SearchType) -> Option<&'static str> {
    match t {
        SearchType::Notice => Some("symbols"),
        SearchType::Standard => Some("number"),
        SearchType::Zone => Some("code"),
        SearchType::Policy => Some("documentNumber"),
        SearchType::Declaration => Some("standardNumber"),
        SearchType::Recall => Some("reference"),
        _ => None,
    }
}

/// Completions of a prefix: the headlines of the best hits of a federated search (Meilisearch matches the last
/// word as a prefix), one suggestion a distinct text.
pub(super) async fn suggestions(
    app: &AppContext,
    prefix: &str,
    plans: &[Plan],
    limit: usize,
) -> anyhow::Result<Vec<Suggestion>> {
    let q = prepare_query(prefix);
    let highlight: Vec<[&str; 1]> = plans.iter().map(|p| [p.spec.headline]).collect();
    let retrieve: Vec<Vec<&str>> = plans
        .iter()
        .map(|p| ["id", p.spec.headline].into_iter().chain(code_field(p.t)).collect())
        .collect();
    let at = PlanIndexes::new(app, plans);
    let multi = at.multi_search(app, &q, true, |i, sq| {
        sq.with_attributes_to_retrieve(Selectors::Some(&retrieve[i]))
            .with_attributes_to_highlight(Selectors::Some(&highlight[i]))
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST);
    });
    // Several titles share a name (every winner of one award): ask for more, keep one of each text.
    let federation = FederationOptions {
        limit: Some(limit * 3),
        ..Default::default()
    };
    let res = app
        .search
        .timed(
            "suggest",
            multi
                .with_federation(federation)
                .execute::<serde_json::Map<String, serde_json::Value>>(),
        )
        .await?;
    let mut out: Vec<Suggestion> = Vec::new();
    for h in res.hits {
        let Some(info) = &h.federation else { continue };
        let p = &plans[info.queries_position];
        let text_of = |v: Option<&serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Array(a)) => a.first().and_then(|x| x.as_str()).map(str::to_string),
            _ => None,
        };
        let Some(text) = text_of(h.result.get(p.spec.headline)) else {
            continue;
        };
        let Some(id) = h.result.get("id").and_then(|v| v.as_i64()) else {
            continue;
        };
        if out.iter().any(|s| s.text == text) {
            continue;
        }
        out.push(Suggestion {
            kind: p.t,
            id: crate::graphql::ids::encode(p.t.type_name(), id as i32),
            code: code_field(p.t).and_then(|f| text_of(h.result.get(f))),
            highlight: formatted_field(h.formatted_result.as_ref(), p.spec.headline),
            text,
        });
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}
