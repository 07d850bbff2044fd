//! `emblem-host`: a Spin-compatible runtime for one machine and for tests.
//!
//! `emblem-host up` runs a `spin.toml` app the way `spin up` does, with
//! Spin's flags: `-f/--from`, `--listen`, `--build`, `--variable k=v`,
//! `--runtime-config-file`. `emblem-host build` runs the components' build
//! commands, like `spin build`.
//!
//! 1. Read the manifest (`manifest.rs`), the runtime config and variables.
//! 2. Optionally build the components (their `[component.x.build]`).
//! 3. Open the key-value stores the runtime config names (`kv/`: SQLite, Redis).
//! 4. Compile and pre-instantiate every component (`runtime.rs`).
//! 5. Serve every route on one listener (`server.rs`).

mod kv;
mod manifest;
mod outbound;
mod router;
mod runtime;
mod server;
mod spin_api;
mod variables;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "emblem-host",
    version,
    about = "Runs a Spin app (spin.toml) on wasmtime, for one machine and for tests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the app, like `spin up`.
    Up(UpArgs),
    /// Run every component's build command, like `spin build`.
    Build {
        /// The application manifest.
        #[arg(short = 'f', long = "from", default_value = "spin.toml")]
        manifest: PathBuf,
    },
}

#[derive(Parser)]
struct UpArgs {
    /// The application manifest.
    #[arg(short = 'f', long = "from", default_value = "spin.toml")]
    manifest: PathBuf,
    /// The address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Build the components before starting.
    #[arg(long)]
    build: bool,
    /// Set an application variable: `--variable name=value` (repeatable).
    #[arg(long = "variable", value_parser = parse_variable)]
    variables: Vec<(String, String)>,
    /// Spin runtime config (key-value store backends).
    #[arg(long = "runtime-config-file")]
    runtime_config: Option<PathBuf>,
}

fn parse_variable(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected name=value, got {s:?}"))
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { manifest } => build(&manifest::App::load(&manifest)?),
        Command::Up(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(up(args))
        }
    }
}

async fn up(args: UpArgs) -> Result<()> {
    // A supervisor (the test harness) can tie the host's life to its own:
    // with this set, the host exits when its standard input closes, which
    // happens when the supervising process ends, however it ends.
    if std::env::var_os("EMBLEM_HOST_EXIT_ON_STDIN_EOF").is_some() {
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
    }
    let app = manifest::App::load(&args.manifest)?;
    if args.build {
        build(&app)?;
    }
    let app_variables = variables::resolve_app(&app, &args.variables, |k| std::env::var(k).ok())?;
    let stores = kv::store_defs(&app.dir, args.runtime_config.as_deref())?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr()?;
    let runtime = runtime::Runtime::load(
        &app,
        runtime::LoadOptions {
            variables: app_variables,
            stores,
            listen: local,
            blocked: std::sync::Arc::new(outbound::BlockedNetworks::from_runtime_config(
                args.runtime_config.as_deref(),
            )?),
        },
    )?;
    spawn_epoch_ticker(runtime.engine.clone());
    let routes: Vec<(String, String)> = app
        .routes
        .iter()
        .map(|r| (r.route.clone(), r.component.clone()))
        .collect();
    eprintln!("App `{}`: {} components", app.name, app.components.len());
    eprintln!("Serving http://{local}");
    eprintln!("Available routes:");
    for (route, component) in &routes {
        eprintln!("  {component}: http://{local}{route}");
    }
    let chain = runtime.chain.clone();
    let server = Arc::new(server::Server::new(runtime, routes)?);
    let chained = server.clone();
    chain.set(Arc::new(move |component, request| {
        let server = chained.clone();
        Box::pin(async move { server.handle_chained(&component, request).await })
    }));
    tokio::select! {
        result = server.serve(listener) => result,
        _ = shutdown_signal() => {
            runtime::SHUTTING_DOWN.store(true, std::sync::atomic::Ordering::Relaxed);
            eprintln!("emblem-host: shutting down");
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn spawn_epoch_ticker(engine: wasmtime::Engine) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(runtime::EPOCH_TICK);
            engine.increment_epoch();
        }
    });
}

/// Runs each component's build command in its working directory.
fn build(app: &manifest::App) -> Result<()> {
    for (id, component) in &app.components {
        let Some(build) = &component.build else {
            continue;
        };
        let dir: PathBuf = match &build.workdir {
            Some(w) => app.path(w),
            None => app.dir.clone(),
        };
        for command in build.command.commands() {
            eprintln!("Building component {id} with `{command}`");
            run_shell(command, &dir).with_context(|| format!("building component `{id}`"))?;
        }
    }
    eprintln!("Finished building all components");
    Ok(())
}

fn run_shell(command: &str, dir: &Path) -> Result<()> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .status()
        .with_context(|| format!("cannot run `{command}`"))?;
    if !status.success() {
        bail!("`{command}` failed with {status}");
    }
    Ok(())
}
