//! Batched loading of nested fields (DataLoader): a listing of 100 enterprises that selects each one's brands,
//! zones and region asks the database once for each kind of field, not once for each enterprise.
//!
//! Siblings in a list are resolved together; each asks the loader for its key, and the loader gathers the keys
//! asked within a short delay (`DELAY`) into one query. Nothing is cached between requests: every request reads
//! the database as it is.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::catalog::declarations::store::{self as declaration_store, Declaration};
use crate::catalog::divisions::{self, Region};
use crate::catalog::enterprises::store::{self as enterprise_store, Enterprise};
use crate::catalog::listings::model::ListingKind;
use crate::catalog::listings::store::{self as listing_store, Listing};
use crate::catalog::zones::store::{self as zone_store, Membership, Zone};

/// How long a loader waits for the keys of sibling fields before it queries.
const DELAY: Duration = Duration::from_millis(1);

/// An error of a batched load, shared by every field of the batch.
pub type LoadError = Arc<anyhow::Error>;

/// The database, as the loader of every kind of key below.
pub struct Db(pub DatabaseConnection);

pub type Loaders = DataLoader<Db>;

pub fn loaders(db: DatabaseConnection) -> Loaders {
    DataLoader::new(Db(db), tokio::spawn).delay(DELAY)
}

/// An enterprise by row id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnterpriseId(pub i32);

/// A zone by row id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZoneId(pub i32);

/// An enterprise's listings of one kind.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListingsOf(pub i32, pub ListingKind);

/// An enterprise's zone memberships.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MembershipsOf(pub i32);

/// An enterprise's declarations (企业标准自我声明).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeclarationsOf(pub i32);

/// A division code's region.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RegionOf(pub String);

fn shared(e: impl Into<anyhow::Error>) -> LoadError {
    Arc::new(e.into())
}

impl Loader<EnterpriseId> for Db {
    type Value = Enterprise;
    type Error = LoadError;

    async fn load(&self, keys: &[EnterpriseId]) -> Result<HashMap<EnterpriseId, Enterprise>, LoadError> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = enterprise_store::enterprises_by_ids(&self.0, &ids)
            .await
            .map_err(shared)?;
        Ok(rows.into_iter().map(|e| (EnterpriseId(e.id), e)).collect())
    }
}

impl Loader<ZoneId> for Db {
    type Value = Zone;
    type Error = LoadError;

    async fn load(&self, keys: &[ZoneId]) -> Result<HashMap<ZoneId, Zone>, LoadError> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = zone_store::zones_by_ids(&self.0, &ids).await.map_err(shared)?;
        Ok(rows.into_iter().map(|z| (ZoneId(z.id), z)).collect())
    }
}

impl Loader<ListingsOf> for Db {
    type Value = Vec<Listing>;
    type Error = LoadError;

    async fn load(&self, keys: &[ListingsOf]) -> Result<HashMap<ListingsOf, Vec<Listing>>, LoadError> {
        let mut out = HashMap::new();
        for kind in [ListingKind::Credit, ListingKind::Brand, ListingKind::Title] {
            let ids: Vec<i32> = keys.iter().filter(|k| k.1 == kind).map(|k| k.0).collect();
            if ids.is_empty() {
                continue;
            }
            let mut found = listing_store::listings_of_many(&self.0, &ids, kind)
                .await
                .map_err(shared)?;
            for id in ids {
                out.insert(ListingsOf(id, kind), found.remove(&id).unwrap_or_default());
            }
        }
        Ok(out)
    }
}

impl Loader<MembershipsOf> for Db {
    type Value = Vec<Membership>;
    type Error = LoadError;

    async fn load(&self, keys: &[MembershipsOf]) -> Result<HashMap<MembershipsOf, Vec<Membership>>, LoadError> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let mut found = zone_store::memberships_of_many(&self.0, &ids).await.map_err(shared)?;
        Ok(ids
            .into_iter()
            .map(|id| (MembershipsOf(id), found.remove(&id).unwrap_or_default()))
            .collect())
    }
}

impl Loader<DeclarationsOf> for Db {
    type Value = Vec<Declaration>;
    type Error = LoadError;

    async fn load(&self, keys: &[DeclarationsOf]) -> Result<HashMap<DeclarationsOf, Vec<Declaration>>, LoadError> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let mut found = declaration_store::of_enterprises(&self.0, &ids).await.map_err(shared)?;
        Ok(ids
            .into_iter()
            .map(|id| (DeclarationsOf(id), found.remove(&id).unwrap_or_default()))
            .collect())
    }
}

impl Loader<RegionOf> for Db {
    type Value = Region;
    type Error = LoadError;

    async fn load(&self, keys: &[RegionOf]) -> Result<HashMap<RegionOf, Region>, LoadError> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = divisions::regions(&self.0, &codes).await.map_err(shared)?;
        Ok(found.into_iter().map(|(c, r)| (RegionOf(c), r)).collect())
    }
}

/// The loaders of a request's context.
pub fn of<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// A failed batched load as the API's error.
pub fn failed(e: LoadError) -> crate::error::ApiError {
    crate::error::ApiError::from(anyhow::anyhow!("{e:#}"))
}

/// The region of a division code, loaded with its siblings'.
pub async fn region(ctx: &async_graphql::Context<'_>, code: Option<&str>) -> async_graphql::Result<Option<Region>> {
    match code {
        None => Ok(None),
        Some(c) => Ok(of(ctx).load_one(RegionOf(c.to_string())).await.map_err(failed)?),
    }
}
