//! The catalogues zhiliang publishes, one folder per listing family.

pub mod codes;
pub mod divisions;
pub mod encoding;
pub mod enterprises;
pub mod like;
pub mod notices;
pub mod paging;
pub mod policies;
pub mod standards;
pub mod table;
