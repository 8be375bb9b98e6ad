"""The first published privacy notice: the facts of the original notice in the project's own words,
completed with what GDPR article 13 asks and the original lacked (legal bases, retention, rights,
complaints, automated decisions)."""

from datetime import date

from django.db import migrations

NOTICE = {
    "number": 1,
    "status": "published",
    "published_on": date(2026, 11, 25),
    "register_name_fi": "Liikkuvat Puntit – sähköposti-, asiakas-, tilaaja- ja prospektirekisteri",
    "register_name_en": "Liikkuvat Puntit – register of email subscribers, clients and prospects",
    "rights_fi": (
        "Sinulla on oikeus saada tietää, mitä tietoja sinusta on rekisterissä, ja saada niistä kopio; oikeus "
        "vaatia virheellisen tiedon korjaamista; oikeus tietojen poistamiseen, kun niitä ei enää tarvita eikä "
        "laki velvoita säilyttämään niitä; oikeus käsittelyn rajoittamiseen; oikeus siirtää itse antamasi "
        "tiedot toiseen palveluun; ja oikeus kieltää tietojesi käyttö suoramarkkinointiin. Pyynnön voit tehdä "
        "verkkolomakkeella osoitteessa /tietopyynto/ tai kirjallisesti rekisteriasioiden yhteyshenkilölle. "
        "Vastaamme kuukauden kuluessa."
    ),
    "rights_en": (
        "You have the right to know what data the register holds about you and to get a copy; to have wrong "
        "data corrected; to have data erased when it is no longer needed and no law requires keeping it; to "
        "restrict processing; to take the data you gave us to another service; and to forbid the use of your "
        "data for direct marketing. Make a request with the web form at /en/data-request/ or in writing to "
        "the contact person for register matters. We answer within a month."
    ),
    "withdrawal_fi": (
        "Voit perua antamasi suostumuksen milloin tahansa yhtä helposti kuin annoit sen: jokaisen "
        "markkinointiviestin linkistä, tietopyyntölomakkeella tai ottamalla yhteyttä. Peruminen ei vaikuta "
        "sitä ennen tehdyn käsittelyn lainmukaisuuteen."
    ),
    "withdrawal_en": (
        "You may withdraw a consent at any time as easily as you gave it: from the link in every marketing "
        "message, with the data request form or by contacting us. Withdrawal does not affect the lawfulness "
        "of processing before it."
    ),
    "complaint_fi": (
        "Jos katsot, että tietojesi käsittely rikkoo tietosuojasääntelyä, voit tehdä valituksen "
        "tietosuojavaltuutetun toimistolle: Tietosuojavaltuutetun toimisto, PL 800, 00531 Helsinki, "
        "tietosuoja.fi."
    ),
    "complaint_en": (
        "If you consider that the processing of your data breaks data protection law, you may lodge a "
        "complaint with the Office of the Data Protection Ombudsman: PO Box 800, 00531 Helsinki, Finland, "
        "tietosuoja.fi."
    ),
    "requirement_fi": (
        "Yhteystiedot ja ajanvaraustiedot tarvitaan valmennuksen toteuttamiseen ja laskutukseen; ilman niitä "
        "emme voi tarjota palvelua. Markkinointiin ja muihin suostumuksella kerättäviin tietoihin "
        "suostuminen on vapaaehtoista, eikä kieltäytyminen vaikuta palveluun."
    ),
    "requirement_en": (
        "Contact and booking details are needed to provide coaching and to invoice; without them we cannot "
        "provide the service. Consenting to marketing and to other data collected with consent is "
        "voluntary, and refusing does not affect the service."
    ),
    "automated_decisions_fi": "Emme tee henkilötiedoillasi automaattisia päätöksiä emmekä profiloi sinua.",
    "automated_decisions_en": "We make no automated decisions with your data and do not profile you.",
    "security_fi": (
        "Paperiaineisto säilytetään lukitussa tilassa. Sähköistä rekisteriä käyttävät vain henkilöt, joilla "
        "on siihen oikeus, omat tunnukset ja salassapitosopimus; kirjautuminen on suojattu vahvalla "
        "salasanalla. Tietokannat ja niiden varmuuskopiot säilytetään suojatuissa tiloissa."
    ),
    "security_en": (
        "Paper records are kept in a locked room. Only people with the right to use the electronic register, "
        "their own credentials and a confidentiality agreement may use it; signing in is protected by a "
        "strong password. The databases and their backups are kept in protected premises."
    ),
}

ITEMS = [
    ("purpose", 1, "Asiakassuhteen hoitaminen ja palveluiden toteuttaminen", "Managing the client relationship and providing the services",
     "Valmennus, ajanvaraukset, käynnit ja asiakaspalvelu.", "Coaching, bookings, visits and customer service.", "b", "", ""),
    ("purpose", 2, "Laskutus ja kirjanpito", "Invoicing and bookkeeping",
     "Laskut, maksut ja maksumuistutukset.", "Invoices, payments and payment reminders.", "c", "", ""),
    ("purpose", 3, "Palvelun ja liiketoiminnan kehittäminen", "Developing the service and the business",
     "Palautteet, analysointi ja tilastointi.", "Feedback, analysis and statistics.", "f",
     "Palveluiden laadun seuraaminen ja kehittäminen asiakkaiden palautteen ja käyntitilastojen perusteella.",
     "Following and improving the quality of the services from clients' feedback and visit statistics."),
    ("purpose", 4, "Markkinointi ja uudelleenmarkkinointi", "Marketing and remarketing",
     "Uutiskirjeet, Facebook-mainonta ja mainosevästeet.", "Newsletters, Facebook advertising and advertising cookies.", "a", "", ""),
    ("category", 1, "Henkilö- ja yhteystiedot", "Personal and contact details", "", "", "", "", ""),
    ("category", 2, "Ajanvaraus- ja käyntitiedot", "Booking and visit details", "", "", "", "", ""),
    ("category", 3, "Laskutus- ja laadunvalvontatiedot", "Billing and quality control details", "", "", "", "", ""),
    ("category", 4, "Asiakkaan lähettämät sähköpostit", "Emails the client sent", "", "", "", "", ""),
    ("category", 5, "Luvat ja suostumukset", "Permissions and consents", "", "", "", "", ""),
    ("category", 6, "Muut asiakkaan luvalla kerätyt tiedot", "Other data collected with the client's permission", "", "", "", "", ""),
    ("source", 1, "Asiakas itse tai hänen huoltajansa", "The client or their guardian", "", "", "", "", ""),
    ("source", 2, "Asiakassuhteen aikana syntyneet tiedot", "Data arising during the client relationship", "", "", "", "", ""),
    ("source", 3, "Evästeet ja vastaavat tekniikat (Google, Facebook, sähköpostityökalut)", "Cookies and similar technologies (Google, Facebook, email tools)", "", "", "", "", ""),
    ("recipient", 1, "Mailchimp (sähköpostimarkkinointi)", "Mailchimp (email marketing)",
     "Vain sähköpostiosoite ja etunimi, markkinointiin suostuneilta.", "Only the email address and first name of those who consented to marketing.", "", "", ""),
    ("recipient", 2, "Meta (Facebookin mainostyökalut)", "Meta (Facebook's advertising tools)",
     "Sähköpostiosoitteen tiiviste, suostuneilta.", "A hash of the email address, of those who consented.", "", "", ""),
    ("recipient", 3, "Toinen ammattilainen", "Another professional",
     "Olennaiset tiedot konsultointia tai hoidon siirtoa varten vain asiakkaan pyynnöstä ja suostumuksella.",
     "Relevant data for consultation or a transfer of care, only at the client's request and with consent.", "", "", ""),
    ("transfer", 1, "Mailchimp, Yhdysvallat", "Mailchimp, United States",
     "Sähköpostiosoite ja etunimi.", "The email address and first name.", "", "", ""),
]


def create(apps, schema_editor):
    NoticeVersion = apps.get_model("privacy", "NoticeVersion")
    NoticeItem = apps.get_model("privacy", "NoticeItem")
    if NoticeVersion.objects.exists():
        return
    # Made as a draft, its items added, then published: the way the owner makes every later version.
    notice = NoticeVersion.objects.create(**{**NOTICE, "status": "draft", "published_on": None})
    for kind, order, title_fi, title_en, text_fi, text_en, basis, interest_fi, interest_en in ITEMS:
        NoticeItem.objects.create(
            notice=notice, kind=kind, order=order, title_fi=title_fi, title_en=title_en, text_fi=text_fi,
            text_en=text_en, legal_basis=basis, legitimate_interest_fi=interest_fi,
            legitimate_interest_en=interest_en,
            safeguard_fi="EU–US Data Privacy Framework" if kind == "transfer" else "",
            safeguard_en="EU–US Data Privacy Framework" if kind == "transfer" else "",
        )
    NoticeVersion.objects.filter(pk=notice.pk).update(status="published", published_on=NOTICE["published_on"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
