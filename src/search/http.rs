//! The HTTP client the Meilisearch SDK sends through. The SDK's own reqwest client streams every request body
//! through a reader whose buffer it sizes to 8 MiB and fills with zeros first (meilisearch-sdk 0.33,
//! `ReaderStream`): measured under the peers benchmark, that zeroing was 18% of the service's CPU time during
//! searches, more than anything of ours. This one serialises the body and sends it as it is.

use async_trait::async_trait;
use futures_util::AsyncReadExt;
use meilisearch_sdk::errors::Error;
use meilisearch_sdk::request::{HttpClient, Method, parse_response};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone)]
pub struct MeiliHttp {
    client: reqwest::Client,
}

impl MeiliHttp {
    /// A client that sends the key (when there is one) as a bearer token with every request.
    pub fn new(key: Option<&str>) -> anyhow::Result<MeiliHttp> {
        use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("zhiliang/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(k) = key {
            let mut v = HeaderValue::from_str(&format!("Bearer {k}"))
                .map_err(|_| anyhow::anyhow!("the Meilisearch key holds characters a header cannot carry"))?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
        Ok(MeiliHttp {
            client: reqwest::Client::builder().default_headers(headers).build()?,
        })
    }

    async fn send<Q: Serialize + Send + Sync, B, Output: DeserializeOwned + 'static>(
        &self,
        url: &str,
        method: Method<Q, B>,
        body: Option<(Vec<u8>, &str)>,
        expected_status_code: u16,
    ) -> Result<Output, Error> {
        let query = yaup::to_string(method.query())?;
        let url = if query.is_empty() {
            url.to_string()
        } else {
            format!("{url}{query}")
        };
        let verb = match &method {
            Method::Get { .. } => reqwest::Method::GET,
            Method::Delete { .. } => reqwest::Method::DELETE,
            Method::Post { .. } => reqwest::Method::POST,
            Method::Put { .. } => reqwest::Method::PUT,
            Method::Patch { .. } => reqwest::Method::PATCH,
        };
        let mut request = self.client.request(verb, &url);
        if let Some((bytes, content_type)) = body {
            request = request.header(reqwest::header::CONTENT_TYPE, content_type).body(bytes);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let mut text = response.text().await?;
        if text.is_empty() {
            text = "null".to_string();
        }
        parse_response(status, expected_status_code, &text, url)
    }
}

#[async_trait]
impl HttpClient for MeiliHttp {
    async fn request<Query, Body, Output>(
        &self,
        url: &str,
        method: Method<Query, Body>,
        expected_status_code: u16,
    ) -> Result<Output, Error>
    where
        Query: Serialize + Send + Sync,
        Body: Serialize + Send + Sync,
        Output: DeserializeOwned + 'static + Send,
    {
        let body = match &method {
            Method::Post { body, .. } | Method::Put { body, .. } | Method::Patch { body, .. } => {
                Some((serde_json::to_vec(body).map_err(Error::ParseError)?, "application/json"))
            }
            Method::Get { .. } | Method::Delete { .. } => None,
        };
        self.send(url, method, body, expected_status_code).await
    }

    async fn stream_request<
        Query: Serialize + Send + Sync,
        Body: futures_io::AsyncRead + Send + Sync + 'static,
        Output: DeserializeOwned + 'static,
    >(
        &self,
        url: &str,
        method: Method<Query, Body>,
        content_type: &str,
        expected_status_code: u16,
    ) -> Result<Output, Error> {
        let (method, reader) = split(method);
        let body = match reader {
            Some(r) => {
                let mut bytes = Vec::new();
                let mut r = std::pin::pin!(r);
                r.read_to_end(&mut bytes).await.map_err(|e| Error::Other(Box::new(e)))?;
                Some((bytes, content_type))
            }
            None => None,
        };
        self.send(url, method, body, expected_status_code).await
    }

    fn is_tokio(&self) -> bool {
        true
    }
}

/// The method without its body, and the body.
fn split<Q, B>(method: Method<Q, B>) -> (Method<Q, ()>, Option<B>) {
    match method {
        Method::Get { query } => (Method::Get { query }, None),
        Method::Delete { query } => (Method::Delete { query }, None),
        Method::Post { query, body } => (Method::Post { query, body: () }, Some(body)),
        Method::Put { query, body } => (Method::Put { query, body: () }, Some(body)),
        Method::Patch { query, body } => (Method::Patch { query, body: () }, Some(body)),
    }
}
