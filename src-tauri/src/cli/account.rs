//! `inbox-sync account login | list | status | logout`: sign in with Google in the system
//! browser (loopback redirect, PKCE) and add that account, show the connected accounts, or
//! revoke and forget one (and, when asked, delete its mail).
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use inbox_sync_core::auth::{AccountRecord, Accounts, AuthError};
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
    /// Sign in with Google in your browser and add that Gmail account (accounts connected
    /// before stay connected; signing in to one again renews its sign-in)
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
    /// List the connected accounts, where each one's token and mail are kept
    List(JsonFlag),
    /// The same as `list`
    Status(JsonFlag),
    /// Revoke an account's token at Google and delete it here (its synced mail stays unless
    /// --delete-mail)
    Logout {
        /// Which account [default: the only one connected]
        #[arg(value_name = "ADDRESS")]
        address: Option<String>,
        /// Also delete that account's synced mail and sync history from this computer
        #[arg(long)]
        delete_mail: bool,
    },
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
                None,
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
        AccountCommand::List(JsonFlag { json }) | AccountCommand::Status(JsonFlag { json }) => {
            list(dir, *json)?
        }
        AccountCommand::Logout {
            address,
            delete_mail,
        } => logout(dir, address.as_deref(), *delete_mail).await?,
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
    let connected = sign_in.finish(accounts, limit, &cancel).await;
    stopper.abort();
    let record = connected?;
    println!(
        "Connected {}. Its token is kept in {}.",
        record.email,
        accounts.token_location(&record)
    );
    let others: Vec<String> = accounts
        .list()?
        .into_iter()
        .map(|r| r.email)
        .filter(|e| *e != record.email)
        .collect();
    if !others.is_empty() {
        eprintln!(
            "Also connected: {}. Each account's mail is kept in its own database.",
            others.join(", ")
        );
    }
    Ok(())
}

fn list(dir: &DataDir, as_json: bool) -> Result<(), AppError> {
    let accounts = dir.accounts();
    let records = accounts.list()?;
    if records.is_empty() {
        let database = demo_mailbox()?.database_path(dir.path());
        if as_json {
            println!(
                "{}",
                json!({ "connected": false, "accounts": [], "database": database })
            );
        } else {
            println!("No Gmail account is connected; the built-in demo mailbox is used.");
            println!("Connect one with: inbox-sync account login --client-secret FILE");
        }
        return Ok(());
    }
    if as_json {
        let list: Vec<_> = records
            .iter()
            .map(|record| {
                json!({
                    "email": record.email,
                    "tokenStore": record.token_store,
                    "tokenLocation": accounts.token_location(record),
                    "connectedAt": record.connected_at_ms,
                    "database": Mailbox::Account(record.clone()).database_path(dir.path()),
                })
            })
            .collect();
        println!("{}", json!({ "connected": true, "accounts": list }));
        return Ok(());
    }
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            println!();
        }
        println!("Connected: {}", record.email);
        println!("Token kept in: {}", accounts.token_location(record));
        println!(
            "Mail database: {}",
            Mailbox::Account(record.clone())
                .database_path(dir.path())
                .display()
        );
    }
    Ok(())
}

/// The account `address` names, or the only one connected.
fn which_account(accounts: &Accounts, address: Option<&str>) -> Result<AccountRecord, AuthError> {
    if let Some(address) = address {
        return accounts.find(address);
    }
    let mut records = accounts.list()?;
    match records.len() {
        0 => Err(AuthError::NotConnected(
            "no Gmail account is connected".into(),
        )),
        1 => Ok(records.remove(0)),
        _ => Err(AuthError::NotConnected(format!(
            "several accounts are connected; say which: inbox-sync account logout ADDRESS ({})",
            records
                .iter()
                .map(|r| r.email.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

async fn logout(dir: &DataDir, address: Option<&str>, delete_mail: bool) -> Result<(), AppError> {
    let accounts = dir.accounts();
    let record = which_account(accounts, address)?;
    let mailbox = Mailbox::Account(record.clone());
    if delete_mail {
        // Refuse before anything is revoked when the mail cannot be deleted now.
        dir.refuse_while_syncing(&mailbox).await?;
    }
    let gone = accounts.disconnect(&record.email).await?;
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
    if delete_mail {
        let removed = dir.delete_mail(&mailbox)?;
        println!("Deleted {}'s synced mail ({removed}).", gone.email);
    } else {
        println!(
            "Its synced mail stays in {}.",
            mailbox.database_path(dir.path()).display()
        );
    }
    Ok(())
}
