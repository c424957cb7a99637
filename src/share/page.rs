//! The participant page: plain HTML, CSS and a little JavaScript, compiled
//! into the binary. It renders every text with `textContent`, never as
//! HTML, and the Content-Security-Policy allows nothing but its own files.

/// A file of the page.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static str,
}

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

pub const INDEX: Asset = Asset {
    content_type: "text/html; charset=utf-8",
    body: include_str!("page/index.html"),
};
pub const APP_JS: Asset = Asset {
    content_type: "text/javascript; charset=utf-8",
    body: include_str!("page/app.js"),
};
pub const STYLE: Asset = Asset {
    content_type: "text/css; charset=utf-8",
    body: include_str!("page/style.css"),
};
