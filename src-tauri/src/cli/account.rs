//! `inbox-sync account login | status | logout`: sign in with Google in the system browser
//! (loopback redirect, PKCE), show the connected account, or revoke and forget it.
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use inbox_sync_core::auth::{Accounts, AuthError};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::JsonFlag;
use crate::app::sign_in::{SignIn, GMAIL_BASE_URL_VAR};
use crate::app::{demo_mailbox, AppError, DataDir, Mailbox};

#[derive(Args, Clone)]
pub struct AccountArgs {
    #[command(subcommand)]
    command: AccountCommand,
}

#[derive(Subcommand, Clone)]
enum AccountCommand {
    /// Sign in with Google in your browser and connect that Gmail account
    Login {
        /// The client_secret*.json of your "Desktop app" OAuth client (Google Cloud console);
        /// omit it to sign in again with the client remembered from the last sign-in
        #[arg(long, value_name = "FILE")]
        client_secret: Option<PathBuf>,
        /// Gmail's API root, for a test server on this machine [default: Google's]
        #[arg(long, env = GMAIL_BASE_URL_VAR, value_name = "URL")]
        gmail_base_url: Option<String>,
        /// Only print the sign-in address; do not open a browser
        #[arg(long)]
        no_browser: bool,
        /// Give up when the sign-in is not finished in the browser within this many seconds
        #[arg(long, default_value_t = 300, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
    },
    /// Show which account is connected and where its token is kept
    Status(JsonFlag),
    /// Revoke the token at Google and delete it here (the mail already synced stays)
    Logout,
}

pub async fn run(dir: &DataDir, args: &AccountArgs) -> Result<(), AppError> {
    let accounts = dir.accounts();
    match &args.command {
        AccountCommand::Login {
            client_secret,
            gmail_base_url,
            no_browser,
            timeout,
        } => {
            let sign_in = SignIn::start(
                accounts,
                client_secret.as_deref(),
                gmail_base_url.as_deref(),
            )
            .await?;
            login(
                accounts,
                sign_in,
                *no_browser,
                Duration::from_secs(*timeout),
            )
            .await?
        }
        AccountCommand::Status(JsonFlag { json }) => status(dir, *json)?,
        AccountCommand::Logout => logout(accounts).await?,
    }
    Ok(())
}

/// Opens the browser on `sign_in` and waits for it, saying what happens on the terminal.
async fn login(
    accounts: &Accounts,
    sign_in: SignIn,
    no_browser: bool,
    limit: Duration,
) -> Result<(), AuthError> {
    eprintln!("Sign in with Google in your browser. If it does not open, visit this address:");
    // The address alone on standard output, so scripts (and tests) can pick it up.
    println!("{}", sign_in.url());
    if !no_browser {
        if let Err(e) = webbrowser::open(sign_in.url()) {
            eprintln!("(No browser could be opened here: {e}. Open the address above yourself.)");
        }
    }
    eprintln!(
        "Waiting up to {} for the answer on {} (Ctrl-C to stop)…",
        crate::format::duration(limit.as_millis() as i64),
        sign_in.redirect_uri()
    );
    let cancel = CancellationToken::new();
    let stopper = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        })
    };
    let previous = sign_in.previous.clone();
    let connected = sign_in.finish(accounts, limit, &cancel).await;
    stopper.abort();
    let record = connected?;
    println!(
        "Connected {}. Its token is kept in {}.",
        record.email,
        accounts.token_location(&record)
    );
    if let Some(old) = previous.filter(|old| old.email != record.email) {
        eprintln!(
            "{} was disconnected; its mail stays in its own database and is not mixed with {}.",
            old.email, record.email
        );
    }
    Ok(())
}

fn status(dir: &DataDir, as_json: bool) -> Result<(), AppError> {
    let accounts = dir.accounts();
    let Some(record) = accounts.current()? else {
        let database = demo_mailbox()?.database_path(dir.path());
        if as_json {
            println!("{}", json!({ "connected": false, "database": database }));
        } else {
            println!("No Gmail account is connected; the built-in demo mailbox is used.");
            println!("Connect one with: inbox-sync account login --client-secret FILE");
        }
        return Ok(());
    };
    let database = Mailbox::Account(record.clone()).database_path(dir.path());
    if as_json {
        println!(
            "{}",
            json!({
                "connected": true,
                "email": record.email,
                "tokenStore": record.token_store,
                "tokenLocation": accounts.token_location(&record),
                "connectedAt": record.connected_at_ms,
                "database": database,
            })
        );
    } else {
        println!("Connected: {}", record.email);
        println!("Token kept in: {}", accounts.token_location(&record));
        println!("Mail database: {}", database.display());
    }
    Ok(())
}

async fn logout(accounts: &Accounts) -> Result<(), AuthError> {
    let gone = accounts.disconnect().await?;
    match gone.revoke_error {
        None => println!(
            "Disconnected {}: access revoked at Google and the token deleted here.",
            gone.email
        ),
        Some(e) => {
            println!("Disconnected {}: the token was deleted here.", gone.email);
            eprintln!(
                "Google could not be told ({e}); remove Inbox Sync's access at https://myaccount.google.com/permissions."
            );
        }
    }
    Ok(())
}
