//! Spin variables. An empty (or blank) value means "unset", as in spin.toml's defaults.

/// The variable `name`, or None when it is unset, blank or not granted to this component.
pub async fn get(name: &str) -> Option<String> {
    match spin_sdk::variables::get(name).await {
        Ok(value) if value.trim().is_empty() => None,
        Ok(value) => Some(value),
        Err(spin_sdk::variables::Error::Undefined(_)) => None,
        Err(e) => {
            eprintln!("emblem: reading variable {name}: {e:?}");
            None
        }
    }
}
