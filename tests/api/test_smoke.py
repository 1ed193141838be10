from tests.support.server import LiveServer


def test_info_and_admin_login(server: LiveServer) -> None:
    r = server.client().get("/api/info")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"version": "0.1.0", "success": True}
    admin = server.admin()
    me = admin.get("/api/v1/me").json()
    assert me["username"] == "rocketchat.internal.admin.test"
    assert me["roles"] == ["admin"]
