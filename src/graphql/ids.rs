//! Opaque global IDs (`node(id:)`): the type name and the row id, encoded.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult, Code};

pub fn encode(type_name: &str, id: i32) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{type_name}:{id}")))
}

/// The type name and row id of a global ID.
pub fn decode(id: &str) -> ApiResult<(String, i32)> {
    let bad = || ApiError::user(Code::InvalidId, format!("{id:?} is not an ID of this API"));
    let bytes = URL_SAFE_NO_PAD.decode(id.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (t, n) = text.split_once(':').ok_or_else(bad)?;
    let n: i32 = n.parse().map_err(|_| bad())?;
    Ok((t.to_string(), n))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_round_trip() {
        let id = super::encode("Notice", 42);
        assert_eq!(super::decode(&id).unwrap(), ("Notice".to_string(), 42));
        assert!(super::decode("bm9wZQ").is_err());
    }
}
