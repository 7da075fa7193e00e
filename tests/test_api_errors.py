"""The REST APIs' token refusals: 401 with a message in Chinese (or the
client's English), never Flask-JWT-Extended's English {"msg": …} or a 422."""
import datetime as dt

import jwt
import pytest

from tests.helpers import api_token, bearer

URL = "/api/v1/supervision/"


def _refused(client, headers, message):
    answer = client.get(URL, headers=headers)
    assert answer.status_code == 401, answer.get_data(as_text=True)
    assert answer.json == {"message": message}


def test_no_token(gps_demo):
    _refused(gps_demo.test_client(), {}, "未登录或缺少令牌，请先登录获取令牌。")


@pytest.mark.parametrize("token", ["abc", "a.b.c", ""])
def test_garbage_tokens(gps_demo, token):
    _refused(gps_demo.test_client(), bearer(token), "令牌无效，请重新登录获取令牌。")


def test_a_token_signed_elsewhere_or_unsigned(gps_demo):
    client = gps_demo.test_client()
    claims = jwt.decode(api_token(client, "jianguan"), options={"verify_signature": False})
    forged = jwt.encode(claims, "another site's key, 32 bytes or more", algorithm="HS256")
    _refused(client, bearer(forged), "令牌无效，请重新登录获取令牌。")
    unsigned = jwt.encode(claims, None, algorithm="none")
    _refused(client, bearer(unsigned), "令牌无效，请重新登录获取令牌。")


def test_an_expired_token(gps_demo):
    from flask_jwt_extended import create_access_token

    with gps_demo.app_context():
        user = gps_demo.appbuilder.sm.find_user("jianguan")
        token = create_access_token(identity=str(user.id), expires_delta=dt.timedelta(hours=-1))
    _refused(gps_demo.test_client(), bearer(token), "令牌已过期，请重新登录。")


def test_an_english_client_reads_english(gps_demo):
    answer = gps_demo.test_client().get(URL, headers={"Accept-Language": "en"})
    assert answer.status_code == 401
    assert answer.json == {"message": "Not signed in or no token: sign in to get a token."}
