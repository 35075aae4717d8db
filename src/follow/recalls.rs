//! What watches hear of recalls: every recall write leaves a `recall_change` row in its transaction; the matcher
//! looks up the watches filed under the recall's HS prefixes and markets and makes a `RECALL` event (unique per
//! watch and recall, `recall:<id>`) for each watch that names HS codes or markets and whose every such condition
//! the recall meets, with its deliveries, in one transaction that also removes the changes. The events then travel
//! the notices' way: webhooks, e-mail, the Atom feed and subscriptions.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::events::{EventDetail, EventKind, add_event, candidates};
use crate::catalog::codes::to_simplified;
use crate::catalog::notices::store::NoticeQuery;
use crate::catalog::recalls::entity::recall_change;
use crate::catalog::recalls::model::markets_of;
use crate::catalog::recalls::store::{self, Recall};

/// The keys of the watches that can hear this recall: every prefix of its HS codes, and its markets.
pub fn recall_keys(r: &Recall) -> Vec<String> {
    let mut keys = Vec::new();
    for c in &r.data.hs_codes {
        for end in 1..=c.len() {
            keys.push(format!("hs:{}", &c[..end]));
        }
    }
    keys.extend(markets_of(&r.data.country).into_iter().map(|m| format!("m:{m}")));
    keys.sort();
    keys.dedup();
    keys
}

/// Whether a watch's filter concerns a recall: it names HS codes or members (markets), the recall has a code under
/// one of its HS prefixes when it names any, and a market among its members when it names any. The watch's text
/// query, if any, must be found in the recall's product, companies or description. The filter's other conditions
/// (area, kinds, objectives, ICS codes, deadlines) are about notices and do not apply.
pub fn matches(q: &NoticeQuery, text: Option<&str>, r: &Recall) -> bool {
    if q.hs_prefixes.is_empty() && q.members.is_empty() {
        return false;
    }
    let d = &r.data;
    let hs = q.hs_prefixes.is_empty()
        || d.hs_codes
            .iter()
            .any(|c| q.hs_prefixes.iter().any(|p| c.starts_with(p)));
    let markets = markets_of(&d.country);
    let market = q.members.is_empty() || markets.iter().any(|m| q.members.contains(m));
    hs && market && text.is_none_or(|t| text_matches(t, r))
}

fn text_matches(query: &str, r: &Recall) -> bool {
    let d = &r.data;
    let mut hay: Vec<&str> = [
        &d.name,
        &d.product,
        &d.category,
        &d.brand,
        &d.description,
        &d.reason,
        &d.risk_description,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect();
    hay.extend(r.companies.iter().filter_map(|c| c.name.as_deref()));
    hay.push(&d.reference);
    let hay = to_simplified(&hay.join("\n")).to_lowercase();
    to_simplified(query)
        .to_lowercase()
        .split_whitespace()
        .all(|w| hay.contains(w))
}

/// The event a watch hears of a recall.
pub fn detail(r: &Recall) -> EventDetail {
    let d = &r.data;
    EventDetail {
        kind: EventKind::Recall,
        symbol: d.reference.clone(),
        base_symbol: d.reference.clone(),
        member: d.country.clone(),
        notice_kind: d.kind.as_str().to_string(),
        title_zh: d.name.clone().or_else(|| d.product.clone()),
        title_en: None,
        distribution_date: d.notified_on,
        deadline_in_force: None,
        addendum_reasons: Vec::new(),
        follow_up_of: None,
        days_left: None,
        hs_codes: d.hs_codes.clone(),
        recall_id: Some(r.id),
    }
}

/// Matches one batch of recall changes; returns how many changes it consumed (0: none pending).
pub async fn match_pending(db: &DatabaseConnection, batch: u64) -> anyhow::Result<usize> {
    let txn = crate::db::begin_write(db).await?;
    let find = recall_change::Entity::find()
        .order_by_asc(recall_change::Column::Id)
        .limit(batch);
    let changes = super::events::claim(find, &txn).all(&txn).await?;
    if changes.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    let mut ids: Vec<i32> = changes.iter().map(|c| c.recall_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let created = store::created_at(&txn, &ids).await?;
    for r in store::recalls_by_ids(&txn, &ids).await? {
        let keys = recall_keys(&r);
        let dedup = format!("recall:{}", r.id);
        let event = detail(&r);
        for cand in candidates(&txn, &keys).await?.values() {
            // A recall stored before the watch was made is not news to it.
            if created.get(&r.id).is_some_and(|c| *c < cand.row.created_at) {
                continue;
            }
            if matches(&cand.query, cand.row.query.as_deref(), &r) {
                // Recall events name no notice (`watch_event.notice_id` 0); the recall is in the detail.
                add_event(&txn, &cand.row, 0, &dedup, &event).await?;
            }
        }
    }
    recall_change::Entity::delete_many()
        .filter(recall_change::Column::Id.is_in(changes.iter().map(|c| c.id).collect::<Vec<_>>()))
        .exec(&txn)
        .await?;
    crate::db::commit(txn).await?;
    Ok(changes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::recalls::model::RecallRecord;

    fn recall(country: &str, hs: &[&str]) -> Recall {
        let data = RecallRecord {
            reference: Some("R-1".into()),
            country: Some(country.into()),
            notified_on: Some("2024-08-20".into()),
            name: Some("塑胶积木".into()),
            hs_codes: hs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        Recall {
            id: 7,
            source: "jsonl".into(),
            data,
            companies: Vec::new(),
        }
    }

    fn q(hs: &[&str], members: &[&str]) -> NoticeQuery {
        NoticeQuery {
            hs_prefixes: hs.iter().map(|s| s.to_string()).collect(),
            members: members.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_watch_hears_recalls_of_its_codes_and_markets() {
        let toy_de = recall("DE", &["950300"]);
        assert!(matches(&q(&["9503"], &[]), None, &toy_de));
        assert!(matches(&q(&["9503"], &["EU"]), None, &toy_de));
        assert!(matches(&q(&[], &["DEU"]), None, &toy_de));
        assert!(!matches(&q(&["9503"], &["USA"]), None, &toy_de));
        assert!(!matches(&q(&["9608"], &[]), None, &toy_de));
        // A watch that names neither codes nor markets hears no recalls.
        assert!(!matches(&q(&[], &[]), None, &toy_de));
        // Its text query applies.
        assert!(matches(&q(&["95"], &[]), Some("积木"), &toy_de));
        assert!(!matches(&q(&["95"], &[]), Some("钢笔"), &toy_de));
        // A recall without HS codes is heard by market only.
        let no_code = recall("USA", &[]);
        assert!(matches(&q(&[], &["USA"]), None, &no_code));
        assert!(!matches(&q(&["9503"], &["USA"]), None, &no_code));
        assert!(recall_keys(&toy_de).contains(&"hs:9503".to_string()));
        assert!(recall_keys(&toy_de).contains(&"m:EU".to_string()));
    }
}
