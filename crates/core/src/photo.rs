//! Photos: checked, hashed, thumbnailed and stored in the data folder under their SHA-256 name.
//!
//! [`prepare`] does all the checking and decoding in memory, before anything is written, so a
//! refused photo changes nothing; [`PreparedPhoto::store`] then writes the file and its thumbnail
//! atomically (temp file, fsync, rename). EXIF time and GPS are read when present and offered as
//! defaults; they are never required. Decoding and thumbnails are the `image` crate's, EXIF is
//! `kamadak-exif`'s.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use image::ImageFormat;
use sha2::{Digest, Sha256};

use crate::calendar::CITY_TZ;
use crate::error::{Error, Result};
use crate::model::Point;

/// The default largest photo accepted: 20 MB.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;
/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIZE: u32 = 320;
/// The longest side of a photo accepted, in pixels: a phone's panorama fits, a forged header does not.
pub const MAX_SIDE: u32 = 16_384;
/// The most pixels a photo may have: a 48 MP camera's full-resolution picture (8000×6000) fits.
/// Decoded, that is at most 200 MB (RGBA), so a small file claiming 10,000×10,000 (400 MB decoded)
/// is refused from its header, before anything is decoded — on the device and at the hub alike.
pub const MAX_PIXELS: u64 = 50_000_000;

/// A photo that passed every check, held in memory until the store writes it.
#[derive(Debug, Clone)]
pub struct PreparedPhoto {
    pub sha256: String,
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
    pub exif_time: Option<DateTime<Utc>>,
    pub exif_point: Option<Point>,
    bytes: Vec<u8>,
    thumbnail: Vec<u8>,
}

impl PreparedPhoto {
    pub fn byte_len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The thumbnail as a `data:` URL, for showing a photo before it is saved.
    pub fn thumbnail_data_url(&self) -> String {
        use base64::Engine;
        format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(&self.thumbnail))
    }

    pub fn file_name(&self) -> String {
        format!("{}.{}", self.sha256, self.extension)
    }

    pub fn thumbnail_name(&self) -> String {
        format!("thumbs/{}.jpg", self.sha256)
    }

    /// Writes the photo and its thumbnail under `photos_dir`. Content-addressed: a photo already
    /// there is not written again. Returns the files it made (none when both were there), so a
    /// record that does not commit can remove them; a failed write leaves no partial file.
    pub fn store(&self, photos_dir: &Path) -> Result<Vec<PathBuf>> {
        let mut made = Vec::new();
        let photo = photos_dir.join(self.file_name());
        if write_once(&photo, &self.bytes)? {
            made.push(photo);
        }
        let thumbnail = photos_dir.join(self.thumbnail_name());
        match write_once(&thumbnail, &self.thumbnail) {
            Ok(true) => made.push(thumbnail),
            Ok(false) => {}
            Err(e) => {
                for f in &made {
                    let _ = fs::remove_file(f);
                }
                return Err(e);
            }
        }
        Ok(made)
    }
}

/// Writes `bytes` to `path` unless a file is there: temp file, fsync, rename. Returns whether it
/// wrote. On any failure (a full disk) the temporary file is removed before the error returns.
fn write_once(path: &Path, bytes: &[u8]) -> Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp: PathBuf = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("photo")));
    let written = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok(true)
}

/// Reads and checks the photo at `path`: at most `max_bytes`, and an image `image` can decode.
pub fn prepare(path: &Path, max_bytes: u64) -> Result<PreparedPhoto> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let unreadable = |e: std::io::Error| Error::PhotoUnreadable { name: name.clone(), reason: e.to_string() };
    let meta = fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Error::PhotoUnreadable { name, reason: "not a file".into() });
    }
    if meta.len() > max_bytes {
        return Err(Error::PhotoTooLarge { name, size: meta.len(), max: max_bytes });
    }
    let bytes = fs::read(path).map_err(unreadable)?;
    prepare_bytes(&name, bytes, max_bytes)
}

/// The same checks as [`prepare`], for bytes already in memory (a drop, a paste, a sync download).
pub fn prepare_bytes(name: &str, bytes: Vec<u8>, max_bytes: u64) -> Result<PreparedPhoto> {
    let (extension, decoded) = check_bytes(name, &bytes, max_bytes)?;
    let thumb = decoded.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE).to_rgb8();
    let mut thumbnail = Vec::new();
    image::DynamicImage::ImageRgb8(thumb)
        .write_to(&mut Cursor::new(&mut thumbnail), ImageFormat::Jpeg)
        .map_err(|e| Error::PhotoUnreadable { name: name.to_string(), reason: e.to_string() })?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let (exif_time, exif_point) = read_exif(&bytes);
    Ok(PreparedPhoto {
        sha256,
        extension,
        width: decoded.width(),
        height: decoded.height(),
        exif_time,
        exif_point,
        bytes,
        thumbnail,
    })
}

/// The checks every photo passes wherever it arrives (a form, a sync upload at the hub): within
/// the size limit, JPEG, PNG or WebP, dimensions within [`MAX_SIDE`] and [`MAX_PIXELS`] as its
/// header states them (read before decoding), and an image that decodes whole under the same
/// limits. Returns the file extension and the decoded image.
pub fn check_bytes(name: &str, bytes: &[u8], max_bytes: u64) -> Result<(&'static str, image::DynamicImage)> {
    if bytes.len() as u64 > max_bytes {
        return Err(Error::PhotoTooLarge { name: name.to_string(), size: bytes.len() as u64, max: max_bytes });
    }
    let not_image = || Error::PhotoNotImage { name: name.to_string() };
    let format = image::guess_format(bytes).map_err(|_| not_image())?;
    let extension = match format {
        ImageFormat::Jpeg => "jpg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        _ => return Err(not_image()),
    };
    let (width, height) = dimensions(bytes, format).map_err(|_| not_image())?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::PhotoTooManyPixels { name: name.to_string(), width, height });
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    // The decoder gets the same bounds, so a header that lies about its size cannot make it allocate more.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| not_image())?;
    Ok((extension, decoded))
}

/// What a receiver (the hub) holds of a photo, read from the file itself: its length, and its width
/// and height as its header states them. A pushed event's photo metadata must be these
/// ([`crate::change::check_photo_held`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldPhoto {
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
}

/// The [`HeldPhoto`] of the file at `path` (nothing is decoded: the length and the header); `None`
/// when there is no such file.
pub fn held(path: &Path) -> Result<Option<HeldPhoto>> {
    let bytes = match fs::metadata(path) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let unreadable = |reason: String| Error::PhotoUnreadable { name: path.display().to_string(), reason };
    let (width, height) = image::ImageReader::open(path)?
        .with_guessed_format()?
        .into_dimensions()
        .map_err(|e| unreadable(e.to_string()))?;
    Ok(Some(HeldPhoto { bytes, width, height }))
}

/// A photo's width and height as its header states them; nothing is decoded.
pub fn dimensions(bytes: &[u8], format: ImageFormat) -> std::result::Result<(u32, u32), image::ImageError> {
    image::ImageReader::with_format(Cursor::new(bytes), format).into_dimensions()
}

/// EXIF DateTimeOriginal (in the city's zone unless the photo says its offset) and GPS position.
/// Anything missing or malformed is simply absent.
fn read_exif(bytes: &[u8]) -> (Option<DateTime<Utc>>, Option<Point>) {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
        return (None, None);
    };
    let ascii = |tag| match exif.get_field(tag, exif::In::PRIMARY).map(|f| &f.value) {
        Some(exif::Value::Ascii(v)) => v.first().map(|s| String::from_utf8_lossy(s).trim().to_string()),
        _ => None,
    };
    let time = ascii(exif::Tag::DateTimeOriginal)
        .or_else(|| ascii(exif::Tag::DateTime))
        .and_then(|t| NaiveDateTime::parse_from_str(&t, "%Y:%m:%d %H:%M:%S").ok())
        .and_then(|naive| match ascii(exif::Tag::OffsetTimeOriginal) {
            Some(offset) => DateTime::parse_from_str(
                &format!("{} {offset}", naive.format("%Y-%m-%d %H:%M:%S")),
                "%Y-%m-%d %H:%M:%S %:z",
            )
            .ok()
            .map(|t| t.with_timezone(&Utc)),
            None => CITY_TZ.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)),
        });
    let coord = |value_tag, ref_tag, negative: &str| -> Option<f64> {
        let exif::Value::Rational(parts) = &exif.get_field(value_tag, exif::In::PRIMARY)?.value else {
            return None;
        };
        if parts.len() < 3 {
            return None;
        }
        let deg = parts[0].to_f64() + parts[1].to_f64() / 60.0 + parts[2].to_f64() / 3600.0;
        let sign = if ascii(ref_tag).as_deref() == Some(negative) { -1.0 } else { 1.0 };
        Some(sign * deg).filter(|v| v.is_finite())
    };
    let point = match (
        coord(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, "S"),
        coord(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, "W"),
    ) {
        (Some(lat), Some(lon)) => Some(Point { lat, lon }).filter(|p| crate::geometry::is_valid_point(*p)),
        _ => None,
    };
    (time, point)
}
