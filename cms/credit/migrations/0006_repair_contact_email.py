from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("zhunru_credit", "0005_repair_applications"),
    ]

    operations = [
        migrations.AddField(
            model_name="repairapplication",
            name="contact_email",
            field=models.EmailField(blank=True, help_text="审核结果发送到该邮箱。", max_length=254, verbose_name="电子邮箱"),
        ),
    ]
