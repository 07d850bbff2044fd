//! Running components: one engine and linker for the app, one pre-instance
//! and one instance pool per component.
//!
//! 1. The linker is built once with WASI 0.2 and 0.3, `wasi:http` 0.2 and
//!    0.3, and the Spin interfaces (`spin_api.rs`): spin-sdk 7 guests import
//!    both WASI generations.
//! 2. Each component is compiled and pre-instantiated at start, so a request
//!    never pays for compilation or import resolution.
//! 3. Requests go through wasmtime-wasi-http's `ProxyHandler`, which reuses
//!    instances (many requests, and concurrent ones, per WASIp3 instance)
//!    and retires an instance that trapped: its store is dropped and the
//!    next request gets a fresh instance. Other components never notice.
//! 4. Every store carries only what its component was granted: its KV
//!    stores, its variables, its file mounts, its outbound policy.

use crate::manifest::{App, ComponentDef, FileMount};
use crate::outbound::OutboundPolicy;
use crate::spin_api::{self, SpinCtx, SpinView};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};
use wasmtime::Result;
use wasmtime::component::{Component, GuestTaskId, Linker, ResourceTable};
use wasmtime::error::Context as _;
use wasmtime::{Config, Engine, Store, StoreContextMut};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::handler::{
    HandlerState, Instance, ProxyHandler, ProxyPre, ShouldAccept, WorkerExpiration, WorkerState,
    WorkerStatus,
};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// How long a guest may take to produce a response.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an idle instance is kept for reuse.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Requests one instance serves before it is replaced (bounds memory growth).
const MAX_REUSE: usize = 1024;
/// Requests one WASIp3 instance may hold at once.
const MAX_CONCURRENT_REUSE: usize = 16;

/// The data of one store: one component instance's world.
pub struct HostState {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    outbound: OutboundPolicy,
    spin: SpinCtx,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

fn spin_view(state: &mut HostState) -> SpinView<'_> {
    SpinView {
        ctx: &state.spin,
        table: &mut state.table,
    }
}

/// Everything needed to make a fresh store for one component.
struct ComponentRecipe {
    id: String,
    environment: Vec<(String, String)>,
    mounts: Vec<(PathBuf, String)>,
    outbound: OutboundPolicy,
    spin: SpinCtx,
}

impl ComponentRecipe {
    fn new_store(&self, engine: &Engine) -> Result<Store<HostState>> {
        let mut wasi = WasiCtxBuilder::new();
        wasi.inherit_stdout().inherit_stderr();
        for (k, v) in &self.environment {
            wasi.env(k, v);
        }
        // Raw TCP (`wasi:sockets`, e.g. SMTP) only to what `tcp://` entries of
        // `allowed_outbound_hosts` name, as Spin's outbound-networking factor
        // checks it; no binding, no UDP, no name lookup (Spin grants none).
        let policy = self.outbound.clone();
        wasi.allow_tcp(true);
        wasi.socket_addr_check(move |addr, addr_use| {
            use wasmtime_wasi::sockets::SocketAddrUse;
            let allowed = match addr_use {
                SocketAddrUse::TcpConnect => policy.allows_socket(addr),
                // wasmtime checks the implicit bind of every connect as a bind of the
                // unspecified address, port 0; an explicit bind (a listener) is refused.
                SocketAddrUse::TcpBind => addr.ip().is_unspecified() && addr.port() == 0,
                _ => false,
            };
            if !allowed {
                eprintln!("emblem-host: socket {addr_use:?} to {addr} denied: not in allowed_outbound_hosts");
            }
            Box::pin(async move { allowed })
        });
        for (host, guest) in &self.mounts {
            wasi.preopened_dir(host, guest, FsPerms::ReadOnly)
                .with_context(|| format!("cannot mount {} at {guest}", host.display()))?;
        }
        let state = HostState {
            table: ResourceTable::new(),
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            outbound: self.outbound.clone(),
            spin: self.spin.clone(),
        };
        let mut store = Store::new(engine, state);
        store.set_epoch_deadline(u64::MAX / 2);
        Ok(store)
    }
}

/// One component's request handler: pre-instance plus instance pool.
pub struct ComponentHandler {
    engine: Engine,
    recipe: ComponentRecipe,
    pre: ProxyPre<HostState>,
}

impl HandlerState for ComponentHandler {
    type StoreData = HostState;
    type WorkerExpiration = Expiration;
    type WorkerState = Worker;

    async fn instantiate(&self) -> wasmtime::Result<Instance<HostState, Expiration, Worker>> {
        let mut store = self.recipe.new_store(&self.engine)?;
        let proxy = self.pre.instantiate_async(&mut store).await?;
        Ok(Instance {
            store,
            proxy,
            view: WasiHttpView::http,
            expiration: Expiration {
                sleep: Box::pin(tokio::time::sleep(Duration::MAX / 4)),
            },
            state: Worker {
                component: self.recipe.id.clone(),
            },
        })
    }
}

/// Retires instances that sat idle or overran a request.
pub struct Expiration {
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl WorkerExpiration for Expiration {
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        status: WorkerStatus,
        start: Instant,
    ) -> Poll<()> {
        let limit = match status {
            WorkerStatus::Idle => IDLE_TIMEOUT,
            WorkerStatus::Requests | WorkerStatus::PostReturn => REQUEST_TIMEOUT,
        };
        let deadline = tokio::time::Instant::from_std(start + limit);
        if self.sleep.deadline() != deadline {
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

/// Per-instance policy: how many requests to take.
pub struct Worker {
    component: String,
}

impl WorkerState for Worker {
    type StoreData = HostState;
    type RequestData = ();

    fn should_accept_request(&self, concurrent: usize, total: usize) -> ShouldAccept {
        if total >= MAX_REUSE {
            ShouldAccept::Never
        } else if concurrent >= MAX_CONCURRENT_REUSE {
            ShouldAccept::No
        } else {
            ShouldAccept::Yes
        }
    }

    fn on_request_start(
        &self,
        mut store: StoreContextMut<'_, HostState>,
        _data: (),
        _task: GuestTaskId,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + Sync>> {
        // A guest stuck in a loop is trapped by the epoch deadline.
        store
            .set_epoch_deadline(REQUEST_TIMEOUT.as_millis() as u64 / EPOCH_TICK.as_millis() as u64);
        Box::pin(tokio::time::sleep(REQUEST_TIMEOUT))
    }

    fn drop(&self, store: Store<HostState>, result: wasmtime::Result<()>) {
        // At shutdown the runtime cancels every worker; that is not a failure.
        if let Err(e) = result
            && !SHUTTING_DOWN.load(std::sync::atomic::Ordering::Relaxed)
        {
            eprintln!(
                "emblem-host: component `{}`: instance retired: {e:?}",
                self.component
            );
        }
        drop(store);
    }
}

/// Set when the host is stopping, so cancelled workers are not reported as failures.
pub static SHUTTING_DOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// How often the engine's epoch advances (for the busy-guest deadline).
pub const EPOCH_TICK: Duration = Duration::from_millis(100);

/// The running app: a handler per component.
pub struct Runtime {
    pub engine: Engine,
    pub handlers: BTreeMap<String, ProxyHandler<ComponentHandler>>,
    /// Service chaining between the components, wired to the listener once it exists.
    pub chain: Arc<crate::outbound::Chain>,
}

/// Inputs to [`Runtime::load`] beyond the manifest.
pub struct LoadOptions {
    pub variables: BTreeMap<String, String>,
    pub stores: Vec<(String, crate::kv::StoreDef)>,
    pub listen: SocketAddr,
    /// The runtime config's `[outbound_networking] block_networks`.
    pub blocked: Arc<crate::outbound::BlockedNetworks>,
}

impl Runtime {
    /// Compiles and pre-instantiates every component of `app`.
    pub fn load(app: &App, options: LoadOptions) -> Result<Runtime> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.wasm_component_model_async(true);
        config.epoch_interruption(true);
        // `EMBLEM_HOST_PROFILE=perfmap` names JIT frames for `perf record`.
        if std::env::var("EMBLEM_HOST_PROFILE").as_deref() == Ok("perfmap") {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        // Compiled components are cached beside the app (like Spin does in
        // its own cache), so a restart does not recompile unchanged .wasm.
        let mut cache = wasmtime::CacheConfig::new();
        cache.with_directory(app.dir.join(".spin").join("wasmtime-cache"));
        config.cache(Some(wasmtime::Cache::new(cache)?));
        let engine = Engine::new(&config)?;

        let mut linker: Linker<HostState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
        spin_api::add_to_linker(&mut linker, spin_view)?;

        let mut databases: BTreeMap<crate::kv::StoreDef, crate::kv::Db> = BTreeMap::new();
        let mut labels = BTreeMap::new();
        for (label, def) in &options.stores {
            let db = match databases.get(def) {
                Some(db) => db.clone(),
                None => {
                    let db = crate::kv::Db::open(def).map_err(wasmtime::Error::from_anyhow)?;
                    databases.insert(def.clone(), db.clone());
                    db
                }
            };
            labels.insert(label.clone(), db);
        }
        let known_labels: Arc<Vec<String>> = Arc::new(labels.keys().cloned().collect());

        let chain = Arc::new(crate::outbound::Chain::default());
        let mut handlers = BTreeMap::new();
        for (id, def) in &app.components {
            crate::outbound::chain::check_entries(id, &def.allowed_outbound_hosts, |c| {
                app.components.contains_key(c)
            })
            .map_err(wasmtime::Error::from_anyhow)?;
            let recipe = recipe(app, id, def, &options, &labels, &known_labels, &chain)?;
            let path = app.path(&def.source);
            let component = Component::from_file(&engine, &path).with_context(|| {
                format!(
                    "component `{id}`: cannot load {} (build it first, e.g. `--build`)",
                    path.display()
                )
            })?;
            let pre = linker
                .instantiate_pre(&component)
                .with_context(|| format!("component `{id}`: imports not satisfied"))?;
            let pre = match wasmtime_wasi_http::p3::bindings::ServicePre::new(pre.clone()) {
                Ok(p3) => ProxyPre::P3(p3),
                Err(_) => ProxyPre::P2(
                    wasmtime_wasi_http::p2::bindings::ProxyPre::new(pre).with_context(|| {
                        format!("component `{id}` exports no wasi:http handler")
                    })?,
                ),
            };
            handlers.insert(
                id.clone(),
                ProxyHandler::new(ComponentHandler {
                    engine: engine.clone(),
                    recipe,
                    pre,
                }),
            );
        }
        Ok(Runtime {
            engine,
            handlers,
            chain,
        })
    }
}

fn recipe(
    app: &App,
    id: &str,
    def: &ComponentDef,
    options: &LoadOptions,
    labels: &BTreeMap<String, crate::kv::Db>,
    known_labels: &Arc<Vec<String>>,
    chain: &Arc<crate::outbound::Chain>,
) -> Result<ComponentRecipe> {
    let mut stores = BTreeMap::new();
    for label in &def.key_value_stores {
        let db = labels.get(label).with_context(|| {
            format!(
                "component `{id}` is granted key-value store `{label}`, \
                 which no runtime config defines"
            )
        })?;
        stores.insert(label.clone(), db.clone());
    }
    let mounts = def
        .files
        .iter()
        .filter_map(|m| match m {
            FileMount::Mapping {
                source,
                destination,
            } => Some((app.path(source), destination.clone())),
            FileMount::Pattern(_) => None,
        })
        .collect();
    let variables = crate::variables::resolve_component(id, &def.variables, &options.variables)
        .map_err(wasmtime::Error::from_anyhow)?;
    Ok(ComponentRecipe {
        id: id.to_string(),
        environment: def
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        mounts,
        outbound: OutboundPolicy::new(&def.allowed_outbound_hosts, options.listen)
            .map_err(wasmtime::Error::from_anyhow)
            .with_context(|| format!("component `{id}`"))?
            .with_blocked(options.blocked.clone())
            .with_chain(chain.clone()),
        spin: SpinCtx {
            stores,
            known_labels: known_labels.clone(),
            variables: Arc::new(variables),
        },
    })
}
