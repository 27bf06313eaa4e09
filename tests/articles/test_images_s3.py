"""The media library on S3-compatible storage: a real S3-protocol server
(moto's, on 127.0.0.1, started here) behind django-storages' S3 backend."""

import boto3
import pytest
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer

from articles import images
from articles.images import Image
from tests.articles import pictures
from tests.factories import make_article

pytestmark = pytest.mark.django_db

BUCKET = "newsroom-test-media"
KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for found in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=found["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> set[str]:
    return {found["Key"] for found in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_an_upload_goes_to_the_bucket_with_its_renditions_and_no_gps(s3):
    image = images.ingest(pictures.jpeg_with_gps(1000, 700), alt="Rooftops")
    assert keys(s3) == {image.file.name, *image.rendition_names()}
    body = s3.get_object(Bucket=BUCKET, Key=image.rendition_names()[0])["Body"].read()
    assert not pictures.reopen(body).getexif()
    original = s3.get_object(Bucket=BUCKET, Key=image.file.name)["Body"].read()
    assert b"SERIAL-123456" not in original


def test_pages_link_the_bucket(s3, s3_endpoint, client, settings):
    image = images.ingest(pictures.jpeg(900, 600), alt="Rooftops")
    article = make_article(image=image)
    html = client.get(article.get_absolute_url()).content.decode()
    base = f"{s3_endpoint}/{BUCKET}/{images.rendition_base(image.file.name)}"
    assert f'srcset="{base}w480.webp 480w, {base}w800.webp 800w"' in html
    assert f'<meta property="og:image" content="{base}og.jpg">' in html


def test_a_body_image_from_the_bucket_is_recognised(s3):
    image = images.ingest(pictures.png(600, 400), alt="Bucket picture")
    assert image.file.url.startswith("http://127.0.0.1:")
    body = images.resolve_body(f"<p>{image.file.url}</p>")
    assert 'alt="Bucket picture" width="600" height="400"' in body


def test_deleting_an_image_empties_the_bucket(s3, django_capture_on_commit_callbacks):
    image = images.ingest(pictures.jpeg(500, 300))
    assert keys(s3)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert keys(s3) == set()
    assert not Image.objects.exists()


def test_images_rebuild_missing_restores_a_lost_rendition(s3):
    image = images.ingest(pictures.jpeg(900, 500))
    lost = image.rendition_names()[1]
    s3.delete_object(Bucket=BUCKET, Key=lost)
    assert images.rebuild(image, missing_only=True) == 1
    assert default_storage.exists(lost)
