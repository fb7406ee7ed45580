//! `inbox-sync fake-gmail`: the fake Gmail server on its own, for trying the app and the
//! command line against a mailbox with latency, quota and faults.
use std::time::Duration;

use clap::Args;
use fake_gmail::{FakeConfig, FakeGmail, FaultRates, OAuthClient};

use crate::app::AppError;

#[derive(Args, Clone)]
pub struct FakeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Messages in the generated mailbox
    #[arg(long, default_value_t = 500)]
    messages: usize,
    /// Seed of the generated mailbox (same seed, same mailbox)
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Added to every request
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Per-user quota in Gmail units per second (0: unlimited)
    #[arg(long, default_value_t = 250)]
    quota: u32,
    /// Lifetime of issued access tokens
    #[arg(long, default_value_t = 3600)]
    token_lifetime_secs: u64,
    /// Fraction of requests answered 500 or 503
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// How many history ids back history.list still answers (older: 404)
    #[arg(long)]
    history_retention: Option<u64>,
    /// The mailbox's address (what `account status` shows after signing in to it)
    #[arg(long, default_value = "demo.user@example.com")]
    email: String,
    /// Write a Desktop-app client secret file for this server, for `account login`
    #[arg(long, value_name = "FILE")]
    client_secret_out: Option<std::path::PathBuf>,
}

pub async fn serve(args: &FakeArgs) -> i32 {
    let config = FakeConfig::default()
        .port(args.port)
        .messages(args.messages)
        .seed(args.seed)
        .email_address(args.email.clone())
        .latency(Duration::from_millis(args.latency_ms))
        .token_lifetime(Duration::from_secs(args.token_lifetime_secs))
        .faults(FaultRates {
            internal: args.error_rate / 2.0,
            unavailable: args.error_rate / 2.0,
            corrupt_body: 0.0,
        });
    let mut config = match args.history_retention {
        Some(n) => config.history_retention(n),
        None => config,
    };
    config.quota_units_per_sec = (args.quota > 0).then_some(args.quota);
    let fake = match FakeGmail::start(config).await {
        Ok(f) => f,
        Err(e) => {
            return AppError::new("fakeGmail", format!("cannot start the fake Gmail: {e}")).report()
        }
    };
    if let Some(path) = &args.client_secret_out {
        if let Err(e) = std::fs::write(path, fake.client_secret_json()) {
            return AppError::new("storage", format!("cannot write {}: {e}", path.display()))
                .report();
        }
        eprintln!(
            "client secret written to {}; sign in with: inbox-sync account login --client-secret {} --gmail-base-url {}",
            path.display(),
            path.display(),
            fake.base_url()
        );
    }
    println!("{}", fake.base_url());
    let client = OAuthClient::default();
    eprintln!(
        "fake Gmail for {} with {} messages; token endpoint {} (client id {}); \
         sync with: inbox-sync sync --gmail-base-url {}",
        fake.email_address(),
        fake.message_count(),
        fake.token_url(),
        client.client_id,
        fake.base_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    fake.shutdown().await;
    0
}
