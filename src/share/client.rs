//! The participant's side of sharing, for `stridekit join`: joining with
//! the code, following the board the server streams, and sending threats
//! and dots. What comes back is read with limits and parsed into the
//! core's board types; nothing in it is trusted to be well formed.

use std::io::{BufRead, BufReader, Read};
use std::time::Duration;

use serde_json::{Value, json};

use crate::core::ids::Id;
use crate::core::participation::Board;

/// Largest answer or stream line read, in bytes.
const MAX_ANSWER: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The server refused, with its reason.
    #[error("{0}")]
    Refused(String),
    #[error("the server's answer makes no sense: {0}")]
    Garbled(String),
}

/// Where a participant stands, as the server says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Waiting { name: String },
    In(Box<Board>),
    Removed,
}

impl Standing {
    /// Reads the server's `{"state": ...}` answer.
    pub fn from_value(value: &Value) -> Result<Standing, ClientError> {
        match value.get("state").and_then(Value::as_str) {
            Some("waiting") => Ok(Standing::Waiting {
                name: value
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            }),
            Some("removed") => Ok(Standing::Removed),
            Some("in") => {
                let board = value
                    .get("board")
                    .cloned()
                    .ok_or_else(|| ClientError::Garbled("a board without content".into()))?;
                serde_json::from_value(board)
                    .map(|b| Standing::In(Box::new(b)))
                    .map_err(|e| ClientError::Garbled(e.to_string()))
            }
            _ => Err(ClientError::Garbled("no state".into())),
        }
    }
}

/// A joined participant's connection.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
}

/// The server's base address from what a participant was given:
/// `http://host:port/`, with or without `#code=...`, or `host:port`.
/// Returns it and the code in it, if any.
pub fn parse_url(url: &str) -> (String, Option<String>) {
    let url = url.trim();
    let (url, fragment) = url.split_once('#').unwrap_or((url, ""));
    let code = fragment
        .split('&')
        .find_map(|part| part.strip_prefix("code="))
        .map(str::to_string);
    let with_scheme = if url.contains("://") {
        url.to_string()
    } else {
        format!("http://{url}")
    };
    (with_scheme.trim_end_matches('/').to_string(), code)
}

fn agent(timeout: Option<Duration>) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(timeout)
        .timeout_connect(Some(Duration::from_secs(10)))
        .build()
        .new_agent()
}

/// The JSON of an answer, or the server's refusal.
fn answer(
    base: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Value, ClientError> {
    let mut response = result.map_err(|e| ClientError::Unreachable {
        url: base.to_string(),
        reason: e.to_string(),
    })?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .read_to_string()
        .map_err(|e| ClientError::Garbled(e.to_string()))?;
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    // A removed participant's board says so; that is a standing, not an error.
    if status == 403 && value.get("state").and_then(Value::as_str) == Some("removed") {
        return Ok(value);
    }
    let reason = value
        .get("error")
        .and_then(Value::as_str)
        .map_or_else(|| format!("the server answered {status}"), str::to_string);
    Err(ClientError::Refused(reason))
}

impl Client {
    /// Joins the session at `url` with `code` as `name`.
    pub fn join(url: &str, code: &str, name: &str) -> Result<Client, ClientError> {
        let (base, _) = parse_url(url);
        let agent = agent(Some(Duration::from_secs(15)));
        let body = json!({ "code": code, "name": name }).to_string();
        let value = answer(
            &base,
            agent
                .post(format!("{base}/api/join"))
                .header("Content-Type", "application/json")
                .send(body),
        )?;
        let token = value
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| t.len() <= 128 && t.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| ClientError::Garbled("no token".into()))?
            .to_string();
        Ok(Client { agent, base, token })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value, ClientError> {
        answer(
            &self.base,
            self.agent
                .post(format!("{}{path}", self.base))
                .header("Content-Type", "application/json")
                .header("Authorization", &format!("Bearer {}", self.token))
                .send(body.to_string()),
        )
    }

    /// Where the participant stands now.
    pub fn standing(&self) -> Result<Standing, ClientError> {
        let value = answer(
            &self.base,
            self.agent
                .get(format!("{}/api/board", self.base))
                .header("Authorization", &format!("Bearer {}", self.token))
                .call(),
        )?;
        Standing::from_value(&value)
    }

    /// Adds a threat where the facilitator is; returns the server's word.
    pub fn add_threat(&self, title: &str, notes: &str) -> Result<String, ClientError> {
        let value = self.post("/api/threats", &json!({ "title": title, "notes": notes }))?;
        Ok(value
            .get("ok")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string())
    }

    pub fn set_dots(&self, threat: Id, dots: u32) -> Result<(), ClientError> {
        self.post("/api/dots", &json!({ "threat": threat, "dots": dots }))
            .map(|_| ())
    }

    pub fn set_done(&self, done: bool) -> Result<(), ClientError> {
        self.post("/api/done", &json!({ "done": done })).map(|_| ())
    }

    pub fn leave(&self) -> Result<(), ClientError> {
        self.post("/api/leave", &json!({})).map(|_| ())
    }

    /// Follows the board: calls `on_change` with every standing the
    /// server streams, until it returns false, the participant is removed
    /// or the stream ends.
    pub fn follow(&self, mut on_change: impl FnMut(Standing) -> bool) -> Result<(), ClientError> {
        let stream_agent = agent(None);
        let response = stream_agent
            .get(format!("{}/api/events", self.base))
            .header("Authorization", &format!("Bearer {}", self.token))
            .call()
            .map_err(|e| ClientError::Unreachable {
                url: self.base.clone(),
                reason: e.to_string(),
            })?;
        if response.status().as_u16() != 200 {
            return Err(ClientError::Refused(format!(
                "the server answered {}",
                response.status().as_u16()
            )));
        }
        let mut reader = BufReader::new(response.into_body().into_reader());
        loop {
            let mut line = String::new();
            let read = (&mut reader)
                .take(MAX_ANSWER)
                .read_line(&mut line)
                .map_err(|e| ClientError::Garbled(e.to_string()))?;
            if read == 0 {
                return Ok(());
            }
            let Some(data) = line.trim_end().strip_prefix("data: ") else {
                continue;
            };
            let value: Value =
                serde_json::from_str(data).map_err(|e| ClientError::Garbled(e.to_string()))?;
            let standing = Standing::from_value(&value)?;
            let removed = standing == Standing::Removed;
            if !on_change(standing) || removed {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn an_address_is_read_with_or_without_scheme_and_code() {
        assert_eq!(
            parse_url("http://127.0.0.1:8787/#code=ABCDEF"),
            (
                "http://127.0.0.1:8787".to_string(),
                Some("ABCDEF".to_string())
            )
        );
        assert_eq!(
            parse_url("10.0.0.5:8787"),
            ("http://10.0.0.5:8787".to_string(), None)
        );
    }
}
