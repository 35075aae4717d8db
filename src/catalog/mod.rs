//! The catalogues zhiliang publishes, one folder per listing family.

pub mod codes;
pub mod divisions;
pub mod enterprises;
pub mod notices;
pub mod paging;
pub mod policies;
pub mod standards;
pub mod table;
