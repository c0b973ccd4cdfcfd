//! Reading the endpoints from a running NetBox: `GET /api/<endpoint>/?limit=1000`, pages
//! followed through `next`, the token in the `Authorization` header (never printed), the
//! `API-Version` header recorded. Any HTTP error or network failure stops the import.
//!
//! HTTPS trusts only the Mozilla root certificates built into the binary (webpki-roots), never
//! the system's store: what is trusted does not change with the machine the import runs on, and
//! no certificate check can be turned off. A NetBox behind a private certificate authority is
//! read from exports instead (`curl --cacert`).

use std::time::Duration;

use super::export::{Endpoint, Export, ReadError, parse_page};
use crate::progress::Progress;

/// How long one request may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Objects per page: NetBox's default MAX_PAGE_SIZE.
const PAGE: u32 = 1000;
/// The largest response body read (a page of 1000 devices is a few MB).
const MAX_BODY: u64 = 512 * 1024 * 1024;
/// Pages per endpoint before giving up (a `next` that never ends).
const MAX_PAGES: usize = 100_000;

/// The base URL without a trailing `/` or `/api`: `https://netbox.example.net`.
pub(crate) fn base(url: &str) -> String {
    let mut b = url.trim().trim_end_matches('/');
    if let Some(stripped) = b.strip_suffix("/api") {
        b = stripped;
    }
    b.to_owned()
}

/// The scheme and authority of a URL (`https://host:8443`), the part `next` links are
/// re-anchored on: NetBox behind a proxy often writes its own internal address in `next`.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..].find('/').map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// The path and query of an absolute or relative URL.
fn path_and_query(url: &str) -> &str {
    match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or("/", |j| &url[i + 3 + j..]),
        None => url,
    }
}

/// Reads every endpoint from the NetBox at `url`; one step of `progress` per endpoint, its
/// message naming the page.
pub(crate) fn fetch(url: &str, token: Option<&str>, progress: &Progress) -> Result<Export, ReadError> {
    let base = base(url);
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(ReadError(format!("`{url}`: the NetBox URL must start with http:// or https://")));
    }
    let agent = agent();
    let mut export = Export::default();
    for endpoint in Endpoint::ALL {
        let mut next = Some(format!("{base}/api/{}/?limit={PAGE}", endpoint.path()));
        let mut objects = Vec::new();
        let mut pages = 0;
        let mut of = String::new();
        while let Some(page_url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(ReadError(format!("{page_url}: more than {MAX_PAGES} pages: giving up")));
            }
            progress.say(|| format!("reading {endpoint}, page {pages}{of}"));
            let (text, version) = get(&agent, &page_url, token)?;
            if export.api_version.is_none() {
                export.api_version = version;
            }
            let page = parse_page(&page_url, &text)?;
            if let Some(count) = page.count.filter(|_| pages == 1) {
                // The server may cap the page size below what was asked: count its own pages.
                let size = u64::try_from(page.results.len()).unwrap_or(u64::MAX).max(1);
                of = format!(" of {}", count.div_ceil(size).max(1));
            }
            objects.extend(page.results);
            next = page.next.map(|n| format!("{}{}", origin(&base), path_and_query(&n)));
        }
        export.objects.insert(endpoint, objects);
        progress.inc();
    }
    Ok(export)
}

/// The HTTP client: rustls with the bundled roots only (spelled out rather than left to ureq's
/// defaults, which a feature of another crate could change), a timeout per request, HTTP error
/// statuses returned to [`get`] so that it can say what to do about them.
fn agent() -> ureq::Agent {
    use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::WebPki)
        .disable_verification(false)
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("dcplan/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// One GET: the body and the `API-Version` header, or an error that says what to do.
fn get(agent: &ureq::Agent, url: &str, token: Option<&str>) -> Result<(String, Option<String>), ReadError> {
    let mut request = agent.get(url).header("Accept", "application/json");
    if let Some(t) = token {
        // NetBox 4.5's v2 tokens (`nbt_...`) are bearer tokens; older ones use `Token`.
        let scheme = if t.starts_with("nbt_") { "Bearer" } else { "Token" };
        request = request.header("Authorization", format!("{scheme} {t}"));
    }
    let mut response = request.call().map_err(|e| ReadError(format!("{url}: {e}")))?;
    let status = response.status().as_u16();
    let hint = match status {
        200..=299 => None,
        401 | 403 if token.is_none() => Some("set NETBOX_TOKEN to an API token with read access"),
        401 | 403 => {
            Some("the token in NETBOX_TOKEN was refused: check it is valid and may read this endpoint")
        }
        404 => Some("not found: is this the NetBox base URL (with or without /api)?"),
        _ => Some("NetBox did not answer the request"),
    };
    if let Some(hint) = hint {
        return Err(ReadError(format!("{url}: HTTP {status}: {hint}")));
    }
    let version = response.headers().get("API-Version").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()
        .map_err(|e| ReadError(format!("{url}: cannot read the response: {e}")))?;
    Ok((text, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(base("https://nb.example/api/"), "https://nb.example");
        assert_eq!(base("https://nb.example"), "https://nb.example");
        assert_eq!(base("http://h:8000/netbox/api"), "http://h:8000/netbox");
        assert_eq!(origin("http://h:8000/netbox"), "http://h:8000");
        assert_eq!(origin("http://h"), "http://h");
        assert_eq!(
            path_and_query("http://10.0.0.1/api/dcim/devices/?limit=2&offset=2"),
            "/api/dcim/devices/?limit=2&offset=2"
        );
        assert_eq!(path_and_query("/api/x/?offset=1"), "/api/x/?offset=1");
    }

    #[test]
    fn https_trusts_the_bundled_roots_only_and_always_verifies() {
        use ureq::tls::{RootCerts, TlsProvider};
        let a = agent();
        let tls = a.config().tls_config();
        assert!(matches!(tls.root_certs(), RootCerts::WebPki));
        assert_eq!(tls.provider(), TlsProvider::Rustls);
        assert!(!tls.disable_verification());
    }
}
