//! Pieces every screen shares: lists (cursor, paging, the rows in view,
//! filters) and tables fitted to their content (text is measured and cut
//! by `core::text`).

pub mod list;
pub mod table;
