//! `Enterprise.eligibleRewards` and `Policy.rewardClauses`: a policy's reward clauses in GraphQL, the catalogue
//! facts of one enterprise gathered for them (standards it is named among the drafters of, brands it holds, the
//! division it is registered in), and each clause checked with the records that prove it or the reasons it fails.

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use sea_orm::ConnectionTrait;

use super::number::DocumentNumber;
use super::rewards::{
    self, BrandFact, Condition, DraftedFact, DraftingRole, Eligibility, EvidenceRecord, Facts, RewardClause,
    RewardReason,
};
use super::store::{self, Policy};
use crate::catalog::enterprises::store::Enterprise;
use crate::catalog::listings::brand::{Brand, BrandScheme};
use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::store::{self as listing_store, Listing};
use crate::catalog::standards::model::Standard;
use crate::catalog::standards::number::StandardLevel;
use crate::catalog::standards::{query as standard_query, store as standard_store};
use crate::error::{ApiError, ApiResult, Code};
use crate::graphql::ids;
use crate::graphql::scalars::Date;

/// What a clause rewards.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardFact {
    /// Being named among the drafting organisations of a standard of some levels, as lead or participant; the
    /// standard's issue date (发布日期) is the date checked against the period.
    StandardDrafted,
    /// An award of a brand scheme; the award date is checked against the period.
    BrandAwarded,
}

/// A kind of standard a clause names: a level, narrowed to some codes.
#[derive(SimpleObject, Debug, Clone)]
pub struct RewardStandardKind {
    pub level: StandardLevel,
    /// Codes (`DB33`) or codes with their marker (`T/ZZB`); empty: every standard of the level.
    pub codes: Vec<String>,
}

/// One reward clause of a policy, as data.
pub struct RewardClauseObject(pub RewardClause);

#[Object(name = "RewardClause")]
impl RewardClauseObject {
    /// The clause's number in the document (`18`).
    async fn clause(&self) -> Option<&str> {
        self.0.clause.as_deref()
    }
    /// The clause as the document words it.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// The sum promised, in yuan.
    async fn amount_yuan(&self) -> i32 {
        amount(&self.0)
    }
    /// The sum is a ceiling (最高不超过), not a fixed amount.
    async fn up_to(&self) -> bool {
        self.0.up_to
    }
    async fn fact(&self) -> RewardFact {
        match self.0.condition {
            Condition::StandardDrafted { .. } => RewardFact::StandardDrafted,
            Condition::BrandAwarded { .. } => RewardFact::BrandAwarded,
        }
    }
    /// For `STANDARD_DRAFTED`: lead (first drafting organisation) or participant.
    async fn role(&self) -> Option<DraftingRole> {
        match &self.0.condition {
            Condition::StandardDrafted { role, .. } => Some(*role),
            Condition::BrandAwarded { .. } => None,
        }
    }
    /// For `STANDARD_DRAFTED`: the kinds of standard that count.
    async fn standard_kinds(&self) -> Vec<RewardStandardKind> {
        match &self.0.condition {
            Condition::StandardDrafted { kinds, .. } => kinds
                .iter()
                .map(|k| RewardStandardKind {
                    level: k.level,
                    codes: k.codes.clone(),
                })
                .collect(),
            Condition::BrandAwarded { .. } => Vec::new(),
        }
    }
    /// For `BRAND_AWARDED`: the schemes that count.
    async fn brand_schemes(&self) -> Vec<BrandScheme> {
        match &self.0.condition {
            Condition::BrandAwarded { schemes, .. } => schemes.clone(),
            Condition::StandardDrafted { .. } => Vec::new(),
        }
    }
    /// For `BRAND_AWARDED`: only the enterprise's first award of the scheme counts (首次).
    async fn first_award_only(&self) -> bool {
        matches!(self.0.condition, Condition::BrandAwarded { first: true, .. })
    }
    /// Division codes the clause applies to: six digits for that division exactly, four or two for everything
    /// under a prefecture or province; empty: anywhere.
    async fn regions(&self) -> &[String] {
        &self.0.regions
    }
    /// The document's own words on the region.
    async fn region_note(&self) -> Option<&str> {
        self.0.region_note.as_deref()
    }
    /// First day the clause applies; none: from the policy's effective date.
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }
    /// Last day it applies; none: open.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
}

fn amount(c: &RewardClause) -> i32 {
    // Validated to fit on import (`rewards::MAX_AMOUNT_YUAN`).
    i32::try_from(c.amount_yuan).unwrap_or(i32::MAX)
}

/// How the enterprise was recognised among a standard's drafting organisations.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrafterMatch {
    /// The row carries the enterprise's credit code.
    CreditCode,
    /// The row carries no credit code and exactly the enterprise's current or a former name.
    Name,
}

/// A record that bears on a clause: a standard the enterprise drafted, or a brand it holds.
pub struct RewardEvidence {
    item: rewards::Evidence,
    standard: Option<Standard>,
    brand: Option<Listing>,
}

#[Object]
impl RewardEvidence {
    /// The standard, for `STANDARD_DRAFTED` clauses.
    async fn standard(&self) -> Option<&Standard> {
        self.standard.as_ref()
    }
    /// The enterprise's place among the drafting organisations, from 1 (1 leads).
    async fn drafting_position(&self) -> Option<i32> {
        match &self.item.record {
            EvidenceRecord::Standard(f) => Some(f.position + 1),
            EvidenceRecord::Brand(_) => None,
        }
    }
    async fn role(&self) -> Option<DraftingRole> {
        match &self.item.record {
            EvidenceRecord::Standard(f) => Some(DraftingRole::of_position(f.position)),
            EvidenceRecord::Brand(_) => None,
        }
    }
    async fn matched_by(&self) -> Option<DrafterMatch> {
        match &self.item.record {
            EvidenceRecord::Standard(f) if f.by_credit_code => Some(DrafterMatch::CreditCode),
            EvidenceRecord::Standard(_) => Some(DrafterMatch::Name),
            EvidenceRecord::Brand(_) => None,
        }
    }
    /// The brand, for `BRAND_AWARDED` clauses.
    async fn brand(&self) -> Option<Brand> {
        self.brand.clone().map(Brand)
    }
    /// The date checked: the standard's issue date, or the brand's award date.
    async fn date(&self) -> Option<Date> {
        self.item.date.map(Date)
    }
    /// Whether the date falls within the period checked (for a first-award clause: and no earlier award).
    async fn in_period(&self) -> bool {
        self.item.in_period
    }
}

/// One clause of a policy checked against one enterprise.
pub struct RewardEligibility {
    clause: RewardClause,
    result: Eligibility,
    evidence: Vec<RewardEvidence>,
}

#[Object]
impl RewardEligibility {
    async fn clause(&self) -> RewardClauseObject {
        RewardClauseObject(self.clause.clone())
    }
    /// The enterprise meets the clause: in its regions, with a record of the kind it rewards dated in the period.
    async fn eligible(&self) -> bool {
        self.result.met
    }
    /// The clause's sum when eligible (a ceiling when `clause.upTo`); null when not.
    async fn amount_yuan(&self) -> Option<i32> {
        self.result.met.then(|| amount(&self.clause))
    }
    /// Why not, when not eligible; empty when eligible.
    async fn reasons(&self) -> &[RewardReason] {
        &self.result.reasons
    }
    /// The period checked: the clause's validity (from the policy's effective date unless the clause says
    /// otherwise) narrowed to the `from`/`to` asked.
    async fn period_from(&self) -> Option<Date> {
        self.result.from.map(Date)
    }
    async fn period_to(&self) -> Option<Date> {
        self.result.to.map(Date)
    }
    /// The records of the kind the clause rewards: those in the period first (they prove it), then those outside
    /// (they explain `OUT_OF_PERIOD` and `NOT_FIRST`).
    async fn evidence(&self) -> &[RewardEvidence] {
        &self.evidence
    }
}

/// The policy `policy` names: its global ID, or its document number in any bracket style.
pub async fn find_policy<C: ConnectionTrait>(db: &C, policy: &str) -> ApiResult<Policy> {
    let missing = || ApiError::user(Code::RecordNotFound, format!("no policy {policy:?} in the catalogue"));
    if let Ok(n) = DocumentNumber::parse(policy) {
        return store::by_number(db, &n)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(missing);
    }
    let (type_name, id) = ids::decode(policy).map_err(|_| {
        ApiError::bad_input(format!(
            "policy: {policy:?} is neither a Policy ID nor a document number (衢政发〔2017〕46号)"
        ))
    })?;
    if type_name != "Policy" {
        return Err(ApiError::user(
            Code::InvalidId,
            format!("policy: {policy:?} is the ID of a {type_name}"),
        ));
    }
    store::by_ids(db, &[id])
        .await
        .map_err(ApiError::from)?
        .into_iter()
        .next()
        .ok_or_else(missing)
}

/// The division an enterprise is registered in: its own region code, else the one its credit code carries.
fn region_of(e: &Enterprise) -> Option<String> {
    e.region_code.clone().or_else(|| {
        let code = e.credit_code.get(2..8)?;
        (e.credit_code_valid && code.bytes().all(|b| b.is_ascii_digit())).then(|| code.to_string())
    })
}

/// What the catalogue knows of `e` that reward clauses ask about, with the records themselves.
async fn facts_of<C: ConnectionTrait>(db: &C, e: &Enterprise) -> ApiResult<(Facts, Vec<Standard>, Vec<Listing>)> {
    let mut names: Vec<String> = e.former_names.clone();
    if let Some(n) = &e.name {
        names.insert(0, n.clone());
    }
    let places = standard_query::drafting_places(db, &e.credit_code, &names)
        .await
        .map_err(ApiError::from)?;
    let ids: Vec<i32> = places.iter().map(|p| p.0).collect();
    let standards = standard_store::by_ids(db, &ids).await.map_err(ApiError::from)?;
    let drafted = places
        .iter()
        .filter_map(|(id, position, by_code)| {
            let s = standards.iter().find(|s| s.id == *id)?;
            Some(DraftedFact {
                standard_id: *id,
                number: s.data.number.clone(),
                issue_date: s.data.issue_date,
                position: *position,
                by_credit_code: *by_code,
            })
        })
        .collect();
    // A revoked award is not an award to reward.
    let brands: Vec<Listing> = listing_store::listings_of(db, e.id, ListingKind::Brand)
        .await
        .map_err(ApiError::from)?
        .into_iter()
        .filter(|l| l.ended_on.is_none())
        .collect();
    let brand_facts = brands
        .iter()
        .filter_map(|l| {
            Some(BrandFact {
                listing_id: l.id,
                scheme: BrandScheme::parse(&l.scheme)?,
                awarded_on: l.started_on,
            })
        })
        .collect();
    Ok((
        Facts {
            region: region_of(e),
            drafted,
            brands: brand_facts,
        },
        standards,
        brands,
    ))
}

/// Every reward clause of `policy` checked against `e` for `[from, to]`.
pub async fn eligible_rewards<C: ConnectionTrait>(
    db: &C,
    e: &Enterprise,
    policy: &str,
    from: Option<Date>,
    to: Option<Date>,
) -> ApiResult<Vec<RewardEligibility>> {
    if let (Some(a), Some(b)) = (from, to)
        && a.0 > b.0
    {
        return Err(ApiError::bad_input(format!("from {} is after to {}", a.0, b.0)));
    }
    let policy = find_policy(db, policy).await?;
    if policy.rewards.is_empty() {
        return Ok(Vec::new());
    }
    let (facts, standards, brands) = facts_of(db, e).await?;
    Ok(policy
        .rewards
        .iter()
        .map(|clause| {
            let result = rewards::check(clause, policy.effective_on, from.map(|d| d.0), to.map(|d| d.0), &facts);
            let evidence = result
                .evidence
                .iter()
                .map(|item| match &item.record {
                    EvidenceRecord::Standard(f) => RewardEvidence {
                        item: item.clone(),
                        standard: standards.iter().find(|s| s.id == f.standard_id).cloned(),
                        brand: None,
                    },
                    EvidenceRecord::Brand(b) => RewardEvidence {
                        item: item.clone(),
                        standard: None,
                        brand: brands.iter().find(|l| l.id == b.listing_id).cloned(),
                    },
                })
                .collect();
            RewardEligibility {
                clause: clause.clone(),
                result,
                evidence,
            }
        })
        .collect())
}

/// `Policy.rewardClauses`.
pub fn clauses_of(p: &Policy) -> Vec<RewardClauseObject> {
    p.rewards.iter().cloned().map(RewardClauseObject).collect()
}

/// `Enterprise.eligibleRewards`, for the enterprise's GraphQL object.
pub async fn for_enterprise(
    ctx: &Context<'_>,
    e: &Enterprise,
    policy: String,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<RewardEligibility>> {
    let app = ctx.data_unchecked::<crate::context::AppContext>();
    Ok(eligible_rewards(&app.db, e, &policy, from, to).await?)
}
