"""Uploaded photos keep their picture and lose everything that could point at a home."""

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from hall.errors import Invalid
from hall.issues.photos import process
from tests.fixtures.photos import GPS_IFD, MB, encode, noisy, phone_photo


def refusal(data: bytes, **limits) -> str:
    with pytest.raises(Invalid) as refused:
        process(data, **{"max_bytes": 10 * MB, **limits})
    assert refused.value.message
    assert refused.value.field_names == ("photo",)
    return refused.value.code


def png_bomb(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of the given size: a few hundred kilobytes on disk,
    one byte per pixel once decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    compressor = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)  # filter byte, then 1 bit per pixel
    parts = [compressor.compress(row * min(1000, height - y)) for y in range(0, height, 1000)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def test_a_phone_photo_loses_its_location_and_every_other_metadata():
    original = phone_photo()
    assert b"flat 402" in original

    photo = process(original, max_bytes=MB)

    result = Image.open(io.BytesIO(photo.data))
    assert photo.content_type == "image/jpeg"
    assert result.format == "JPEG"
    assert result.getexif().get_ifd(GPS_IFD) == {}
    assert dict(result.getexif()) == {}
    assert "exif" not in result.info
    assert "xmp" not in result.info
    assert "comment" not in result.info
    for secret in (b"flat 402", b"taken at home", b"PhoneMaker", b"2024:05:01"):
        assert secret not in photo.data


def test_the_orientation_tag_is_applied_to_the_pixels():
    photo = process(phone_photo(orientation=6), max_bytes=MB)

    result = Image.open(io.BytesIO(photo.data)).convert("RGB")
    assert (photo.width, photo.height) == (20, 40) == result.size
    # Orientation 6 means "turn 90° clockwise to view": the blue left end is now at the top.
    top_r, top_g, top_b = result.getpixel((10, 2))
    assert top_b > 200 and top_r < 60
    bottom_r, _, bottom_b = result.getpixel((10, 37))
    assert bottom_r > 200 and bottom_b < 60


def test_a_png_is_accepted_with_its_transparency_and_without_its_text():
    image = Image.new("RGBA", (30, 20), (0, 128, 0, 100))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Building 3, flat 402")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>gps</x:xmpmeta>")

    photo = process(encode(image, "PNG", pnginfo=text), max_bytes=MB)

    result = Image.open(io.BytesIO(photo.data))
    assert photo.content_type == "image/png"
    assert (result.format, result.mode, result.size) == ("PNG", "RGBA", (30, 20))
    assert result.getpixel((5, 5)) == (0, 128, 0, 100)
    assert b"flat 402" not in photo.data
    assert b"xmpmeta" not in photo.data


def test_a_palette_png_with_transparency_keeps_it():
    image = Image.new("P", (10, 10), 1)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)

    photo = process(encode(image, "PNG", transparency=0), max_bytes=MB)

    result = Image.open(io.BytesIO(photo.data))
    assert result.mode == "RGBA"
    assert result.getpixel((0, 0)) == (0, 0, 255, 255)


def test_a_webp_is_accepted_without_its_metadata():
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 15.0, 10.0)})
    original = encode(Image.new("RGB", (30, 20), "blue"), "WEBP", exif=exif)

    photo = process(original, max_bytes=MB)

    result = Image.open(io.BytesIO(photo.data))
    assert photo.content_type == "image/webp"
    assert (result.format, result.size) == ("WEBP", (30, 20))
    assert "exif" not in result.info
    assert result.getexif().get_ifd(GPS_IFD) == {}


def test_a_cmyk_jpeg_is_converted_to_rgb():
    photo = process(encode(Image.new("CMYK", (10, 10), (0, 255, 255, 0)), "JPEG"), max_bytes=MB)

    result = Image.open(io.BytesIO(photo.data))
    assert result.mode == "RGB"
    red, green, blue = result.getpixel((5, 5))
    assert red > 200 and green < 60 and blue < 60


def test_a_sixteen_bit_grey_png_is_scaled_not_clipped():
    photo = process(encode(Image.new("I;16", (4, 4), 30000), "PNG"), max_bytes=MB)

    result = Image.open(io.BytesIO(photo.data))
    assert result.mode == "L"
    assert 110 <= result.getpixel((0, 0)) <= 120


def test_the_colour_profile_is_kept():
    profile = b"\x00" * 16 + b"a pretend profile"
    original = encode(Image.new("RGB", (10, 10), "red"), "JPEG", icc_profile=profile)

    photo = process(original, max_bytes=MB)

    assert Image.open(io.BytesIO(photo.data)).info.get("icc_profile") == profile


def test_a_large_photo_is_downsized_to_the_longest_side():
    photo = process(encode(noisy((400, 200)), "JPEG"), max_bytes=MB, max_side=100)

    assert (photo.width, photo.height) == (100, 50)
    assert Image.open(io.BytesIO(photo.data)).size == (100, 50)


def test_a_small_photo_is_not_enlarged():
    photo = process(encode(noisy((60, 30)), "PNG"), max_bytes=MB, max_side=100)

    assert (photo.width, photo.height) == (60, 30)


@pytest.mark.parametrize("image_format", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(image_format):
    data = encode(Image.new("RGB", (10, 10), "red"), image_format)

    assert refusal(data) == "photo_format_unsupported"


def test_a_text_file_named_like_a_photo_is_refused():
    assert refusal(b"Minutes of the residents' meeting, 3 May\n" * 10) == "photo_not_an_image"


def test_an_empty_upload_is_refused():
    assert refusal(b"") == "photo_not_an_image"


def test_a_truncated_jpeg_is_refused():
    whole = encode(noisy((200, 200)), "JPEG", quality=95)

    assert refusal(whole[: len(whole) // 2]) == "photo_damaged"


def test_a_png_with_a_damaged_checksum_is_refused():
    whole = bytearray(encode(noisy((20, 20)), "PNG"))
    whole[-20] ^= 0xFF  # inside the last IDAT chunk

    assert refusal(bytes(whole)) == "photo_damaged"


def test_an_upload_over_the_byte_limit_is_refused_before_decoding():
    data = encode(noisy((100, 100)), "PNG")

    assert refusal(data, max_bytes=len(data) - 1) == "photo_too_large"
    assert process(data, max_bytes=len(data)).width == 100


def test_a_photo_over_the_pixel_limit_is_refused():
    assert refusal(encode(Image.new("RGB", (100, 60)), "PNG"), max_pixels=5_999) == (
        "photo_too_many_pixels"
    )


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    data = png_bomb(50_000, 50_000)
    assert len(data) < MB
    return data


def test_a_decompression_bomb_is_refused_without_decoding_it(huge_png):
    # Decoded, it would take 2.5 GB; refused, it takes nothing.
    assert refusal(huge_png) == "photo_too_many_pixels"


def test_pillow_guards_against_bombs_even_when_the_caller_allows_more(huge_png):
    assert refusal(huge_png, max_pixels=10**12) == "photo_too_many_pixels"
    # 100 million pixels: above Pillow's limit, where it only warns.
    assert refusal(png_bomb(10_000, 10_000), max_pixels=10**12) == "photo_too_many_pixels"
