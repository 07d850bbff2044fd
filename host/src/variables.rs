//! Spin variables: application variables and the component variables that
//! expand them.
//!
//! 1. An application variable takes its value from `--variable name=value`,
//!    else from the environment variable `SPIN_VARIABLE_<NAME>`, else from its
//!    `default`. A `required` variable with no value stops the app at start.
//! 2. A component sees only the names in its own `[component.x.variables]`
//!    table, whose values are templates such as `"{{ admin_token }}"` over the
//!    application variables, expanded once at start.

use crate::manifest::App;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;

/// Resolves the application variables from flags, environment and defaults.
pub fn resolve_app(
    app: &App,
    flags: &[(String, String)],
    env: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, String>> {
    for (name, _) in flags {
        if !app.variables.contains_key(name) {
            bail!("--variable {name}: the manifest defines no application variable `{name}`");
        }
    }
    let mut values = BTreeMap::new();
    for (name, def) in &app.variables {
        check_name(name)?;
        let from_flag = flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone());
        let from_env = || env(&format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase()));
        match from_flag.or_else(from_env).or_else(|| def.default.clone()) {
            Some(value) => {
                values.insert(name.clone(), value);
            }
            None if def.required => bail!(
                "variable `{name}` is required: pass --variable {name}=... or set SPIN_VARIABLE_{}",
                name.to_ascii_uppercase()
            ),
            None => {}
        }
    }
    Ok(values)
}

/// Expands one component's variable templates.
pub fn resolve_component(
    component: &str,
    templates: &BTreeMap<String, String>,
    app_values: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    templates
        .iter()
        .map(|(name, template)| {
            check_name(name)?;
            let value = expand(template, app_values)
                .with_context(|| format!("component `{component}`, variable `{name}`"))?;
            Ok((name.clone(), value))
        })
        .collect()
}

/// Spin's rule for variable names: lower-case ASCII letters, digits and
/// underscores, starting with a letter.
pub fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        bail!("invalid variable name {name:?}: use lower-case letters, digits and '_'");
    }
    Ok(())
}

fn expand(template: &str, values: &BTreeMap<String, String>) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            bail!("unclosed `{{{{` in {template:?}");
        };
        let name = after[..end].trim();
        match values.get(name) {
            Some(v) => out.push_str(v),
            None => bail!("template {template:?} names `{name}`, which has no value"),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::VariableDef;

    fn app(vars: &[(&str, Option<&str>, bool)]) -> App {
        App {
            dir: ".".into(),
            name: "t".into(),
            variables: vars
                .iter()
                .map(|(n, d, r)| {
                    (
                        n.to_string(),
                        VariableDef {
                            default: d.map(str::to_string),
                            required: *r,
                            secret: false,
                        },
                    )
                })
                .collect(),
            routes: vec![],
            components: BTreeMap::new(),
        }
    }

    #[test]
    fn a_flag_beats_the_environment_which_beats_the_default() -> Result<()> {
        let a = app(&[("x", Some("default"), false), ("y", Some("default"), false)]);
        let flags = vec![("x".to_string(), "flag".to_string())];
        let env =
            |k: &str| (k == "SPIN_VARIABLE_X" || k == "SPIN_VARIABLE_Y").then(|| "env".into());
        let v = resolve_app(&a, &flags, env)?;
        assert_eq!(v["x"], "flag");
        assert_eq!(v["y"], "env");
        Ok(())
    }

    #[test]
    fn a_required_variable_without_a_value_is_an_error_that_says_how_to_set_it() {
        let a = app(&[("token", None, true)]);
        let err = resolve_app(&a, &[], |_| None).expect_err("must be refused");
        assert!(err.to_string().contains("SPIN_VARIABLE_TOKEN"), "{err}");
    }

    #[test]
    fn an_unknown_flag_is_refused() {
        let a = app(&[]);
        assert!(resolve_app(&a, &[("nope".into(), "1".into())], |_| None).is_err());
    }

    #[test]
    fn component_templates_expand_application_values() -> Result<()> {
        let values = BTreeMap::from([("base".to_string(), "https://x.org".to_string())]);
        let templates = BTreeMap::from([
            ("url".to_string(), "{{ base }}/api".to_string()),
            ("plain".to_string(), "text".to_string()),
        ]);
        let v = resolve_component("c", &templates, &values)?;
        assert_eq!(v["url"], "https://x.org/api");
        assert_eq!(v["plain"], "text");
        assert!(
            resolve_component(
                "c",
                &BTreeMap::from([("u".into(), "{{ nope }}".into())]),
                &values
            )
            .is_err()
        );
        Ok(())
    }

    #[test]
    fn names_follow_spins_rule() {
        assert!(check_name("admin_token").is_ok());
        assert!(check_name("Admin").is_err());
        assert!(check_name("1x").is_err());
        assert!(check_name("").is_err());
    }
}
