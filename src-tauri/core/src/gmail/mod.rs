//! Gmail over its REST API with the `google-gmail1` client: where it is, how requests get
//! their access token, and `GmailSource`, the engine's view of it.
mod bounded;
mod endpoint;
mod errors;
mod ids;
mod source;
mod tokens;

pub use bounded::ResponseLimits;
pub use endpoint::{EndpointError, GmailEndpoint};
pub use source::GmailSource;
pub use tokens::{AccessTokens, Secret, TokenGrant};

/// The HTTPS-or-loopback-HTTP connector every Gmail request goes through.
pub(crate) type Connector =
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// Builds the connector; only HTTPS is verified against the system's trusted certificates.
pub(crate) fn connector() -> Result<Connector, std::io::Error> {
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build())
}
