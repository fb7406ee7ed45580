//! Building RFC 822 / MIME messages as raw bytes, with the part tree Gmail's `format=full` shows.

pub(crate) mod charset;
pub(crate) mod date;
pub(crate) mod encoding;
pub(crate) mod message;
pub(crate) mod part;

pub use charset::Charset;
pub(crate) use message::{HeaderField, MessageBuilder};
pub(crate) use part::{MimeNode, PartTree, Transfer};
