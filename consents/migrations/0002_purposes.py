"""The consent purposes the original privacy notice names, in the project's own words."""

from django.db import migrations

PURPOSES = [
    {
        "code": "email_marketing",
        "title_fi": "Sähköpostimarkkinointi",
        "title_en": "Email marketing",
        "description_fi": "Uutiskirjeet ja tarjoukset sähköpostilla. Sähköpostiosoite ja etunimi siirretään "
        "Mailchimp-palveluun Yhdysvaltoihin (EU–US Data Privacy Framework).",
        "description_en": "Newsletters and offers by email. The email address and first name are transferred "
        "to Mailchimp in the United States (EU–US Data Privacy Framework).",
        "is_marketing": True,
    },
    {
        "code": "facebook_audiences",
        "title_fi": "Facebook-mainonnan kohderyhmät",
        "title_en": "Facebook advertising audiences",
        "description_fi": "Sähköpostiosoitteen tiiviste luovutetaan Metalle mainonnan kohdentamiseksi.",
        "description_en": "A hash of the email address is given to Meta to target advertising.",
        "is_marketing": True,
    },
    {
        "code": "remarketing_cookies",
        "title_fi": "Uudelleenmarkkinoinnin evästeet",
        "title_en": "Remarketing cookies",
        "description_fi": "Googlen ja Facebookin evästeet, joilla mainoksia näytetään sivuilla käyneille.",
        "description_en": "Google's and Facebook's cookies that show ads to people who visited the site.",
        "is_marketing": True,
    },
    {
        "code": "market_research",
        "title_fi": "Mielipide- ja markkinatutkimukset",
        "title_en": "Opinion and market research",
        "description_fi": "Kyselyt palveluiden kehittämiseksi.",
        "description_en": "Surveys to develop the services.",
        "is_marketing": True,
    },
    {
        "code": "disclosure_to_professional",
        "title_fi": "Tietojen luovutus toiselle ammattilaiselle",
        "title_en": "Disclosure to another professional",
        "description_fi": "Olennaisten tietojen luovutus konsultointia tai hoidon siirtoa varten; "
        "suostumus annetaan kerrallaan ja se nimeää vastaanottajan.",
        "description_en": "Disclosure of relevant data for a consultation or a transfer of care; given "
        "each time, naming the recipient.",
        "per_occasion": True,
    },
    {
        "code": "health_for_safe_training",
        "title_fi": "Terveystiedot turvallista harjoittelua varten",
        "title_en": "Health information for safe training",
        "description_fi": "Vammat ja sairaudet, jotka on otettava huomioon harjoittelussa.",
        "description_en": "Injuries and conditions to be taken into account in training.",
        "legal_basis": "9_2_a",
        "is_special_category": True,
    },
    {
        "code": "other_with_permission",
        "title_fi": "Muut luvalla kerätyt tiedot",
        "title_en": "Other data collected with permission",
        "description_fi": "Muut asiakkaan luvalla kirjatut tiedot, kuten tavoitteet.",
        "description_en": "Other data recorded with the client's permission, such as goals.",
    },
]


def create(apps, schema_editor):
    Purpose = apps.get_model("consents", "Purpose")
    for purpose in PURPOSES:
        Purpose.objects.get_or_create(code=purpose["code"], defaults=purpose)


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
