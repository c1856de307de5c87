def test_admin_listings(client, make_user, editions):
    user = make_user("root", superuser=True)
    client.force_login(user)
    for model in ["listedition", "listitem", "serviceitem", "ratingfollowup", "screeningrule"]:
        assert client.get(f"/admin/snippets/zhunru_catalog/{model}/").status_code == 200
