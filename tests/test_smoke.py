def test_world_builds_and_api_lists_communities(api, world):
    reply = api.as_user("resident").get("/api/communities")
    assert reply.status == 200
    assert [c["name"] for c in reply.json] == ["金世界花园"]
