//! Pieces every screen shares: lists (cursor, paging, the rows in view,
//! filters), fitted tables, text cut to fit, key hints.

pub mod list;
pub mod table;
pub mod text;
