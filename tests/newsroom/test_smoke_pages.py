def test_flagship_renders(client, publication):
    response = client.get(publication.flagship.url)
    assert response.status_code == 200, response.content[:2000]
