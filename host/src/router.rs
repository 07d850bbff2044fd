//! Spin's HTTP route matching.
//!
//! A route is a path pattern whose segments are literals, `:name` parameters,
//! or a trailing `...` wildcard that matches the rest of the path (including
//! nothing). When several routes match a path, the most specific one wins,
//! compared segment by segment: a literal beats a parameter, which beats the
//! wildcard; on a tie the route listed first in the manifest wins. So
//! `/assertions/:id/image` beats `/assertions/...` for `/assertions/x/image`,
//! and `/api/...` beats `/...` for `/api/v1`.

use anyhow::{Result, bail};

/// One parsed route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
    wildcard: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// What a route's match tells the component, as Spin's request headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The manifest's route text (`spin-matched-route`).
    pub matched_route: String,
    /// The route without its wildcard (`spin-component-route`).
    pub component_route: String,
    /// The part of the path the wildcard matched (`spin-path-info`).
    pub path_info: String,
    /// `:name` parameters and their values (`spin-path-match-<name>`).
    pub params: Vec<(String, String)>,
}

impl Pattern {
    /// Parses a route such as `/badges/:id` or `/api/...`.
    pub fn parse(route: &str) -> Result<Pattern> {
        let Some(rest) = route.strip_prefix('/') else {
            bail!("route {route:?} must start with '/'");
        };
        let mut parts: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        let wildcard = parts.last() == Some(&"...");
        if wildcard {
            parts.pop();
        }
        let mut segments = Vec::with_capacity(parts.len());
        for part in parts {
            if part == "..." {
                bail!("route {route:?}: `...` may only end a route");
            }
            segments.push(match part.strip_prefix(':') {
                Some("") => bail!("route {route:?}: a parameter needs a name"),
                Some(name) => Segment::Param(name.to_string()),
                None => Segment::Literal(part.to_string()),
            });
        }
        Ok(Pattern { segments, wildcard })
    }

    /// Matches `path` (without query).
    fn matches(&self, path: &str) -> Option<Candidate> {
        let rest = path.strip_prefix('/')?;
        let parts: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split('/').collect()
        };
        if parts.len() < self.segments.len()
            || (!self.wildcard && parts.len() != self.segments.len())
        {
            return None;
        }
        let mut rank = Vec::with_capacity(parts.len());
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(&parts) {
            match segment {
                Segment::Literal(lit) if lit == part => rank.push(3),
                Segment::Literal(_) => return None,
                Segment::Param(name) => {
                    params.push((name.clone(), (*part).to_string()));
                    rank.push(2);
                }
            }
        }
        let tail = &parts[self.segments.len()..];
        rank.extend(tail.iter().map(|_| 1));
        let path_info = if tail.is_empty() {
            String::new()
        } else {
            format!("/{}", tail.join("/"))
        };
        Some(Candidate {
            rank,
            params,
            path_info,
        })
    }
}

/// A route that matches a path.
struct Candidate {
    /// Per path segment: 3 literal, 2 parameter, 1 wildcard; higher wins.
    rank: Vec<u8>,
    params: Vec<(String, String)>,
    path_info: String,
}

/// The routing table: patterns in manifest order, each naming a target.
#[derive(Debug, Clone)]
pub struct Router<T> {
    routes: Vec<(String, Pattern, T)>,
}

impl<T: Clone> Router<T> {
    /// Builds a router from `(route text, target)` pairs in manifest order.
    pub fn new(routes: impl IntoIterator<Item = (String, T)>) -> Result<Router<T>> {
        let routes = routes
            .into_iter()
            .map(|(text, target)| Ok((text.clone(), Pattern::parse(&text)?, target)))
            .collect::<Result<_>>()?;
        Ok(Router { routes })
    }

    /// The most specific route matching `path`, with its target.
    pub fn route(&self, path: &str) -> Option<(T, RouteMatch)> {
        let mut best: Option<(usize, Candidate)> = None;
        for (index, (_, pattern, _)) in self.routes.iter().enumerate() {
            if let Some(candidate) = pattern.matches(path) {
                // Strictly greater: on a tie the earlier route keeps its place.
                if best.as_ref().is_none_or(|(_, b)| candidate.rank > b.rank) {
                    best = Some((index, candidate));
                }
            }
        }
        let (
            index,
            Candidate {
                params, path_info, ..
            },
        ) = best?;
        let (text, _, target) = &self.routes[index];
        let component_route = text
            .strip_suffix("/...")
            .or_else(|| text.strip_suffix("..."))
            .unwrap_or(text)
            .to_string();
        Some((
            target.clone(),
            RouteMatch {
                matched_route: text.clone(),
                component_route,
                path_info,
                params,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router<&'static str> {
        Router::new([
            ("/...".to_string(), "fallback"),
            ("/api/...".to_string(), "api"),
            ("/assertions/...".to_string(), "hosting"),
            ("/assertions/:id/image".to_string(), "bake"),
            ("/health".to_string(), "health"),
        ])
        .expect("valid routes")
    }

    #[test]
    fn an_exact_route_beats_the_catch_all() {
        let (target, m) = router().route("/health").expect("match");
        assert_eq!(target, "health");
        assert_eq!(m.path_info, "");
    }

    #[test]
    fn a_longer_prefix_beats_a_shorter_wildcard() {
        let (target, m) = router().route("/api/v1/issuers").expect("match");
        assert_eq!(target, "api");
        assert_eq!(m.component_route, "/api");
        assert_eq!(m.path_info, "/v1/issuers");
        assert_eq!(m.matched_route, "/api/...");
    }

    #[test]
    fn a_parameter_route_beats_a_wildcard_and_captures_its_value() {
        let (target, m) = router().route("/assertions/abc/image").expect("match");
        assert_eq!(target, "bake");
        assert_eq!(m.params, vec![("id".to_string(), "abc".to_string())]);
        let (target, _) = router().route("/assertions/abc").expect("match");
        assert_eq!(target, "hosting");
    }

    #[test]
    fn a_wildcard_matches_its_bare_prefix() {
        let (target, m) = router().route("/api").expect("match");
        assert_eq!(target, "api");
        assert_eq!(m.path_info, "");
    }

    #[test]
    fn no_route_means_no_match() {
        let r = Router::new([("/api/...".to_string(), 1)]).expect("valid");
        assert!(r.route("/other").is_none());
        assert!(r.route("/apix").is_none());
    }

    #[test]
    fn malformed_routes_are_refused() {
        assert!(Pattern::parse("api").is_err());
        assert!(Pattern::parse("/a/.../b").is_err());
        assert!(Pattern::parse("/a/:").is_err());
    }
}
