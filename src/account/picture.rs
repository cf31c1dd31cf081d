//! Profile images (F12). An upload (PNG, JPEG or WebP) is checked by its header before
//! anything is decoded (byte size, side lengths, pixel count: a decompression bomb is
//! refused without allocating for it), decoded under allocation limits, cropped to the
//! centre square, scaled to at most 512 × 512 and re-encoded as JPEG: no uploaded byte
//! (nor any EXIF or other metadata) is ever served. Decoding runs off the async runtime,
//! one image at a time.

use std::io::Cursor;

use image::{GenericImageView, ImageFormat, ImageReader, Limits, imageops};
use serde_json::json;

use crate::audit::RequestMeta;
use crate::crypto;
use crate::paths;
use crate::state::Ctx;
use crate::store::{PictureRecord, StoreError, User};

/// Largest upload accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Longest side and most pixels of an upload (a 16-megapixel photo fits).
pub const MAX_SIDE: u32 = 8192;
pub const MAX_PIXELS: u64 = 4096 * 4096;
/// Side of the stored square.
pub const SIZE: u32 = 512;

/// How long an upload waits for the decoder (one image at a time: each may take
/// MAX_PIXELS × 4 bytes) before it is answered "busy".
const WAIT_FOR_DECODER: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("the image is larger than {} MiB", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("this is not a PNG, JPEG or WebP image")]
    NotAnImage,
    #[error("the image has too many pixels ({width} × {height}); at most {MAX_SIDE} on a side and 16 megapixels")]
    TooManyPixels { width: u32, height: u32 },
    #[error("another picture is being processed; try again in a moment")]
    Busy,
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for PictureError {
    fn from(e: StoreError) -> Self {
        PictureError::Internal(e.to_string())
    }
}

/// The stored square as JPEG, and its side.
pub fn reencode(bytes: &[u8]) -> Result<(Vec<u8>, u32), PictureError> {
    if bytes.len() > MAX_BYTES {
        return Err(PictureError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PictureError::NotAnImage)?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) {
        return Err(PictureError::NotAnImage);
    }
    // The header alone says how large the decoded image would be.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(|_| PictureError::NotAnImage)?;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PictureError::TooManyPixels { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 16 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| PictureError::NotAnImage)?;
    let (width, height) = decoded.dimensions();
    let side = width.min(height);
    let square = imageops::crop_imm(&decoded, (width - side) / 2, (height - side) / 2, side, side);
    let target = side.min(SIZE);
    let scaled = imageops::resize(&*square, target, target, imageops::FilterType::CatmullRom);
    // JPEG has no transparency: transparent parts become white.
    let mut rgb = image::RgbImage::new(target, target);
    for (x, y, pixel) in scaled.enumerate_pixels() {
        let [r, g, b, a] = pixel.0;
        let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        rgb.put_pixel(x, y, image::Rgb([over_white(r), over_white(g), over_white(b)]));
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&rgb).map_err(|e| PictureError::Internal(e.to_string()))?;
    Ok((out, target))
}

/// Where a picture is served (the OIDC `picture` claim).
pub fn url(issuer: &str, id: &str) -> String {
    format!("{issuer}{}/{id}", paths::PICTURES)
}

/// Makes `bytes` the account's picture; returns its URL.
pub async fn set(ctx: &Ctx, user: &User, bytes: Vec<u8>, meta: &RequestMeta) -> Result<String, PictureError> {
    let permit = match tokio::time::timeout(WAIT_FOR_DECODER, ctx.picture_slots.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(PictureError::Busy),
    };
    // The permit goes with the work: a request given up mid-way cannot start a second decode.
    let (jpeg, side) = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        reencode(&bytes)
    })
    .await
    .map_err(|e| PictureError::Internal(e.to_string()))??;
    let now = ctx.now();
    let record = PictureRecord { id: crypto::random_token(), user_id: user.id.clone(), content_type: "image/jpeg".into(), bytes: jpeg, width: side as i32, created_at: now };
    ctx.store.replace_picture(&record, now).await?;
    ctx.audit("picture_changed", meta, Some(&user.id), None, json!({ "side": side })).await;
    Ok(url(ctx.config.issuer(), &record.id))
}

/// Removes the account's picture; false when it had none.
pub async fn remove(ctx: &Ctx, user: &User, meta: &RequestMeta) -> Result<bool, StoreError> {
    let removed = ctx.store.remove_picture(&user.id, ctx.now()).await?;
    if removed {
        ctx.audit("picture_removed", meta, Some(&user.id), None, json!({})).await;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, _| image::Rgba([(x % 256) as u8, 80, 160, 255]));
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn a_photo_becomes_a_square_jpeg() {
        let (jpeg, side) = reencode(&png(900, 600)).unwrap();
        assert_eq!(side, 512);
        assert_eq!(image::guess_format(&jpeg).unwrap(), ImageFormat::Jpeg);
        assert_eq!(image::load_from_memory(&jpeg).unwrap().dimensions(), (512, 512));
        let (_, small) = reencode(&png(100, 300)).unwrap();
        assert_eq!(small, 100, "small images are not enlarged");
    }

    #[test]
    fn what_is_not_an_image_or_too_large_is_refused() {
        assert!(matches!(reencode(b"GIF89a not allowed"), Err(PictureError::NotAnImage)));
        assert!(matches!(reencode(b"hello"), Err(PictureError::NotAnImage)));
        let mut broken = png(10, 10);
        broken.truncate(40);
        assert!(matches!(reencode(&broken), Err(PictureError::NotAnImage)));
        assert!(matches!(reencode(&png(MAX_SIDE + 1, 1)), Err(PictureError::TooManyPixels { .. })));
    }
}
