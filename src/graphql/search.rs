//! GraphQL types shared by every search: facets.

use async_graphql::SimpleObject;

/// One value of a facet and how many hits have it.
#[derive(SimpleObject, Debug, Clone)]
pub struct FacetValue {
    pub value: String,
    pub count: i32,
}

/// Counts of the hits by one attribute.
#[derive(SimpleObject, Debug, Clone)]
pub struct Facet {
    pub field: String,
    pub values: Vec<FacetValue>,
}

pub fn facets(raw: Vec<(String, Vec<(String, usize)>)>) -> Vec<Facet> {
    raw.into_iter()
        .map(|(field, values)| Facet {
            field,
            values: values
                .into_iter()
                .map(|(value, count)| FacetValue {
                    value,
                    count: count as i32,
                })
                .collect(),
        })
        .collect()
}
