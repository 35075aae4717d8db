//! API keys: made random (256 bits), shown once, stored as their SHA-256; a role, the catalogues an editor may
//! write and the division-code prefix it is held to; expiry and revocation. `authenticate` turns a
//! `Authorization: Bearer` value into the `Principal` every write is checked against.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::api_key;
use crate::catalog::terms::words;
use crate::catalog::watches::model::{random_secret, token_hash};

/// What every key starts with: a key found in a log or a paste is recognisable (secret scanners look for it).
pub const KEY_PREFIX: &str = "zk_";

words! {
    /// What a key may do.
    Role {
        /// Everything: keys, every catalogue in every region, deletion, the audit trail.
        Admin = "ADMIN" [],
        /// Creates, updates and ends records of its catalogues, within its region prefix if it has one.
        Editor = "EDITOR" [],
        /// Reads, with the limits of a key rather than of an address; writes nothing.
        Reader = "READER" [],
    }
}

words! {
    /// A catalogue an editor key may write.
    Catalogue {
        /// TBT/SPS notices.
        Notices = "NOTICES" [],
        /// Standards.
        Standards = "STANDARDS" [],
        /// Enterprises (their identity, names, region, products).
        Enterprises = "ENTERPRISES" [],
        /// Credit entries, brands and titles.
        Listings = "LISTINGS" [],
        /// Demonstration zones and their members.
        Zones = "ZONES" [],
        /// Policy documents.
        Policies = "POLICIES" [],
        /// Enterprises' export products.
        ExportProfiles = "EXPORT_PROFILES" [],
        /// Foreign recalls, border rejections and returned exports.
        Recalls = "RECALLS" [],
    }
}

impl Catalogue {
    pub const ALL: [Catalogue; 8] = [
        Catalogue::Notices,
        Catalogue::Standards,
        Catalogue::Enterprises,
        Catalogue::Listings,
        Catalogue::Zones,
        Catalogue::Policies,
        Catalogue::ExportProfiles,
        Catalogue::Recalls,
    ];
}

/// Who makes a write: a key, or the command line on the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// `None` for the command line.
    pub key_id: Option<i32>,
    /// The key's name, or `cli:<user>`.
    pub name: String,
    pub role: Role,
    pub catalogues: Vec<Catalogue>,
    pub region_prefix: Option<String>,
}

impl Principal {
    /// The command line: an admin (whoever has a shell on the server has the database anyway).
    pub fn cli() -> Principal {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Principal {
            key_id: None,
            name: format!("cli:{user}"),
            role: Role::Admin,
            catalogues: Catalogue::ALL.to_vec(),
            region_prefix: None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A stored key, without its secret.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    pub id: i32,
    pub name: String,
    pub prefix: String,
    pub role: Role,
    pub catalogues: Vec<Catalogue>,
    pub region_prefix: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn principal(&self) -> Principal {
        Principal {
            key_id: Some(self.id),
            name: self.name.clone(),
            role: self.role,
            catalogues: self.catalogues.clone(),
            region_prefix: self.region_prefix.clone(),
        }
    }

    /// Whether the key works at `now`.
    pub fn active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

fn from_model(m: api_key::Model) -> ApiKey {
    let names: Vec<String> = serde_json::from_str(&m.catalogues).unwrap_or_default();
    ApiKey {
        id: m.id,
        name: m.name,
        prefix: m.prefix,
        role: Role::parse(&m.role).unwrap_or(Role::Reader),
        catalogues: names.iter().filter_map(|n| Catalogue::parse(n)).collect(),
        region_prefix: m.region_prefix,
        created_at: m.created_at,
        created_by: m.created_by,
        expires_at: m.expires_at,
        revoked_at: m.revoked_at,
        last_used_at: m.last_used_at,
    }
}

/// What a new key is to be.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub name: String,
    pub role: Role,
    pub catalogues: Vec<Catalogue>,
    pub region_prefix: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewKey {
    /// Checks the name, the region prefix (2 to 12 digits of a division code) and what the role allows.
    pub fn check(mut self, now: DateTime<Utc>) -> Result<NewKey, String> {
        self.name = self.name.trim().to_string();
        let n = self.name.chars().count();
        if n == 0 || n > 100 || self.name.chars().any(char::is_control) {
            return Err("name: 1 to 100 characters, no control characters".into());
        }
        if let Some(r) = &self.region_prefix {
            let r = r.trim().to_string();
            if r.is_empty() {
                self.region_prefix = None;
            } else if !(2..=12).contains(&r.len()) || !r.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "regionPrefix: {r:?} is not the start of a division code (2 to 12 digits, such as 330226)"
                ));
            } else {
                self.region_prefix = Some(r);
            }
        }
        if self.expires_at.is_some_and(|e| e <= now) {
            return Err("expiresAt: already past".into());
        }
        match self.role {
            Role::Admin if !self.catalogues.is_empty() || self.region_prefix.is_some() => {
                Err("an ADMIN key has every catalogue and no region: give neither".into())
            }
            Role::Editor if self.catalogues.is_empty() => {
                Err("catalogues: an EDITOR key needs at least one catalogue".into())
            }
            Role::Reader if !self.catalogues.is_empty() => Err("catalogues: a READER key writes nothing".into()),
            _ => {
                self.catalogues.sort_by_key(|c| c.as_str());
                self.catalogues.dedup();
                Ok(self)
            }
        }
    }
}

/// Stores a checked key made by `created_by`; the answer carries the secret, shown this once.
pub async fn create<C: ConnectionTrait>(db: &C, k: &NewKey, created_by: &str) -> anyhow::Result<(ApiKey, String)> {
    let secret = format!("{KEY_PREFIX}{}", random_secret()?);
    let names: Vec<&str> = k.catalogues.iter().map(|c| c.as_str()).collect();
    let am = api_key::ActiveModel {
        id: NotSet,
        name: Set(k.name.clone()),
        prefix: Set(secret.chars().take(KEY_PREFIX.len() + 8).collect()),
        key_hash: Set(token_hash(&secret)),
        role: Set(k.role.as_str().into()),
        catalogues: Set(serde_json::to_string(&names)?),
        region_prefix: Set(k.region_prefix.clone()),
        created_at: Set(Utc::now()),
        created_by: Set(created_by.to_string()),
        expires_at: Set(k.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
    };
    let id = api_key::Entity::insert(am).exec(db).await?.last_insert_id;
    let key = by_id(db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("key {id} vanished"))?;
    Ok((key, secret))
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: i32) -> anyhow::Result<Option<ApiKey>> {
    Ok(api_key::Entity::find_by_id(id).one(db).await?.map(from_model))
}

pub async fn by_name<C: ConnectionTrait>(db: &C, name: &str) -> anyhow::Result<Option<ApiKey>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::Name.eq(name.trim()))
        .one(db)
        .await?
        .map(from_model))
}

pub async fn name_taken<C: ConnectionTrait>(db: &C, name: &str) -> anyhow::Result<bool> {
    Ok(by_name(db, name).await?.is_some())
}

/// Every key, oldest first.
pub async fn list<C: ConnectionTrait>(db: &C) -> anyhow::Result<Vec<ApiKey>> {
    Ok(api_key::Entity::find()
        .order_by_asc(api_key::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}

/// Revokes a key (from now on it is refused); `false` when it was revoked already.
pub async fn revoke<C: ConnectionTrait>(db: &C, id: i32) -> anyhow::Result<bool> {
    let r = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected > 0)
}

/// Why a key was refused. The message never says whether a key of that hash exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a key of this service, or revoked, or expired.
    Invalid,
}

/// The key a `Bearer` value names, if it is a working key. `last_used_at` is updated at most once a minute.
pub async fn authenticate<C: ConnectionTrait>(db: &C, secret: &str) -> anyhow::Result<Result<ApiKey, Refused>> {
    let secret = secret.trim();
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 200 {
        return Ok(Err(Refused::Invalid));
    }
    let Some(m) = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(token_hash(secret)))
        .one(db)
        .await?
    else {
        return Ok(Err(Refused::Invalid));
    };
    let key = from_model(m);
    let now = Utc::now();
    if !key.active(now) {
        return Ok(Err(Refused::Invalid));
    }
    if key.last_used_at.is_none_or(|t| now - t > chrono::Duration::seconds(60)) {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
            .filter(api_key::Column::Id.eq(key.id))
            .exec(db)
            .await?;
    }
    Ok(Ok(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(role: Role, catalogues: Vec<Catalogue>, region: Option<&str>) -> Result<NewKey, String> {
        NewKey {
            name: " 宁海县市场监督管理局 ".into(),
            role,
            catalogues,
            region_prefix: region.map(String::from),
            expires_at: None,
        }
        .check(Utc::now())
    }

    #[test]
    fn keys_are_checked_for_what_their_role_allows() {
        let k = new(
            Role::Editor,
            vec![Catalogue::Zones, Catalogue::Listings, Catalogue::Zones],
            Some("330226"),
        )
        .unwrap();
        assert_eq!(k.name, "宁海县市场监督管理局");
        assert_eq!(k.catalogues, vec![Catalogue::Listings, Catalogue::Zones]);
        assert!(new(Role::Editor, vec![], None).is_err());
        assert!(new(Role::Admin, vec![Catalogue::Zones], None).is_err());
        assert!(new(Role::Admin, vec![], Some("33")).is_err());
        assert!(new(Role::Reader, vec![Catalogue::Zones], None).is_err());
        assert!(new(Role::Editor, vec![Catalogue::Zones], Some("33a")).is_err());
        assert!(new(Role::Editor, vec![Catalogue::Zones], Some("3")).is_err());
        assert_eq!(
            new(Role::Editor, vec![Catalogue::Zones], Some(""))
                .unwrap()
                .region_prefix,
            None
        );
        let past = NewKey {
            name: "x".into(),
            role: Role::Reader,
            catalogues: vec![],
            region_prefix: None,
            expires_at: Some(Utc::now() - chrono::Duration::days(1)),
        };
        assert!(past.check(Utc::now()).is_err());
    }
}
